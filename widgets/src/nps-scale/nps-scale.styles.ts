import { css } from 'lit';

// On top of the shared baseStyles (isolation, font, focus ring). Theming only through the documented custom properties and parts; every value has a fallback.
export const npsScaleStyles = css`
  :host {
    container-type: inline-size;
  }
  /* One row of 11 equal buttons; two rows (6 + 5) only where a row would get too narrow to tap. */
  .options {
    display: grid;
    grid-template-columns: repeat(11, minmax(0, 1fr));
    gap: var(--crm-nps-gap, 0.25rem);
  }
  @container (max-width: 300px) {
    .options {
      grid-template-columns: repeat(6, minmax(0, 1fr));
    }
  }
  button {
    box-sizing: border-box;
    min-width: 0;
    min-height: var(--crm-nps-size, 2.75rem);
    margin: 0;
    padding: 0 0.25rem;
    font: inherit;
    font-variant-numeric: tabular-nums;
    color: inherit;
    background: var(--crm-color-surface, #fff);
    border: 1px solid var(--crm-color-border, #8c959f);
    border-radius: var(--crm-radius, 0.375rem);
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--crm-color-primary, #0b5cad);
  }
  button:focus-visible {
    outline: 3px solid var(--crm-color-focus, #0b5cad);
    outline-offset: 2px;
  }
  button[aria-checked='true'] {
    color: var(--crm-color-on-primary, #fff);
    background: var(--crm-color-primary, #0b5cad);
    border-color: var(--crm-color-primary, #0b5cad);
    font-weight: 600;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .invalid button {
    border-color: var(--crm-color-danger, #b42318);
  }
  .labels {
    display: flex;
    justify-content: space-between;
    gap: 1rem;
    margin-top: 0.375rem;
    font-size: 0.875em;
    color: var(--crm-color-muted, #57606a);
  }
  .error {
    margin: 0.375rem 0 0;
    font-size: 0.875em;
    color: var(--crm-color-danger, #b42318);
  }
`;
