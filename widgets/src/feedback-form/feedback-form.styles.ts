import { css } from 'lit';

// On top of the shared baseStyles (isolation, font, focus ring). Theming only through the documented custom properties and parts; every value has a fallback.
export const feedbackFormStyles = css`
  :host {
    max-width: var(--crm-feedback-max-width, 40rem);
    padding: var(--crm-feedback-padding, 1.25rem);
    background: var(--crm-color-surface, #fff);
    border: 1px solid var(--crm-color-border, #d0d7de);
    border-radius: var(--crm-radius, 0.5rem);
  }
  h2 {
    margin: 0 0 0.5rem;
    font-size: 1.25em;
    line-height: 1.3;
  }
  p {
    margin: 0 0 1rem;
  }
  form {
    margin: 0;
  }
  .question {
    margin: 0 0 1.25rem;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .question-text {
    display: block;
    margin-bottom: 0.5rem;
    padding: 0;
    font-weight: 600;
  }
  .required {
    margin-left: 0.375rem;
    font-size: 0.8125em;
    font-weight: 400;
    color: var(--crm-color-muted, #57606a);
  }
  .choices {
    display: flex;
    flex-direction: column;
    gap: 0.375rem;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    cursor: pointer;
  }
  .choice input {
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
    accent-color: var(--crm-color-primary, #0b5cad);
  }
  .rating {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
  }
  .rating label {
    position: relative;
  }
  .rating input {
    position: absolute;
    opacity: 0;
    inset: 0;
    margin: 0;
    cursor: pointer;
  }
  .rating span {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-width: 2.75rem;
    min-height: 2.75rem;
    border: 1px solid var(--crm-color-border, #8c959f);
    border-radius: var(--crm-radius, 0.375rem);
    background: var(--crm-color-surface, #fff);
    font-variant-numeric: tabular-nums;
  }
  .rating input:checked + span {
    color: var(--crm-color-on-primary, #fff);
    background: var(--crm-color-primary, #0b5cad);
    border-color: var(--crm-color-primary, #0b5cad);
    font-weight: 600;
  }
  .rating input:focus-visible + span,
  .choice input:focus-visible,
  textarea:focus-visible,
  button:focus-visible {
    outline: 3px solid var(--crm-color-focus, #0b5cad);
    outline-offset: 2px;
  }
  textarea {
    display: block;
    width: 100%;
    min-height: 6rem;
    padding: 0.5rem;
    font: inherit;
    color: inherit;
    background: var(--crm-color-surface, #fff);
    border: 1px solid var(--crm-color-border, #8c959f);
    border-radius: var(--crm-radius, 0.375rem);
    resize: vertical;
  }
  [aria-invalid='true'] + span,
  textarea[aria-invalid='true'] {
    border-color: var(--crm-color-danger, #b42318);
  }
  .error {
    margin: 0.375rem 0 0;
    font-size: 0.875em;
    color: var(--crm-color-danger, #b42318);
  }
  button {
    min-height: 2.75rem;
    padding: 0.5rem 1.25rem;
    font: inherit;
    font-weight: 600;
    color: var(--crm-color-on-primary, #fff);
    background: var(--crm-color-primary, #0b5cad);
    border: 1px solid var(--crm-color-primary, #0b5cad);
    border-radius: var(--crm-radius, 0.375rem);
    cursor: pointer;
  }
  button:disabled {
    cursor: progress;
    opacity: 0.7;
  }
  .status {
    margin: 0.75rem 0 0;
    font-size: 0.875em;
    color: var(--crm-color-muted, #57606a);
  }
  .status:empty {
    margin: 0;
  }

  .skeleton {
    height: 0.875rem;
    margin: 0 0 0.75rem;
    border-radius: 0.25rem;
    background: var(--crm-color-skeleton, #eaeef2);
  }
  .skeleton.title {
    width: 60%;
    height: 1.25rem;
  }
  .skeleton.short {
    width: 40%;
  }
  @media (prefers-reduced-motion: no-preference) {
    .skeleton {
      animation: pulse 1.2s ease-in-out infinite alternate;
    }
  }
  @keyframes pulse {
    to {
      opacity: 0.5;
    }
  }
  .done:focus {
    outline: none;
  }
`;
