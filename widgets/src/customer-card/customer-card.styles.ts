import { css } from 'lit';

export const cardStyles = css`
  :host {
    max-width: var(--crm-card-max-width, 28rem);
  }
  .card {
    position: relative;
    padding: var(--crm-card-padding, 1rem);
    border: 1px solid var(--crm-color-border, #d0d7de);
    border-radius: var(--crm-radius, 6px);
    background: var(--crm-color-surface, #ffffff);
    box-shadow: var(--crm-card-shadow, none);
  }
  .header {
    display: flex;
    align-items: flex-start;
    justify-content: space-between;
    gap: 0.75rem;
  }
  p {
    margin: 0;
  }
  .name {
    font-size: 1.2em;
    font-weight: 700;
  }
  .meta,
  .muted,
  dt,
  time {
    color: var(--crm-color-muted, #57606a);
  }
  .facts {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 0.5rem 1rem;
    margin: 0.9rem 0 0;
  }
  .facts div {
    min-width: 0;
  }
  dt {
    font-size: 0.8em;
  }
  dd {
    margin: 0;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .section {
    margin-top: 0.9rem;
    padding-top: 0.6rem;
    border-top: 1px solid var(--crm-color-border, #d0d7de);
  }
  .section-title {
    font-weight: 700;
    margin-bottom: 0.35rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.2rem 0;
  }
  li .grow {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .icon {
    display: inline-flex;
    width: 1.5em;
    height: 1.5em;
    flex: none;
    align-items: center;
    justify-content: center;
    border-radius: 50%;
    background: var(--crm-color-icon-bg, #eef1f4);
    color: var(--crm-color-accent, #0b57d0);
  }
  .icon svg {
    width: 0.95em;
    height: 0.95em;
  }
  .tag {
    flex: none;
    padding: 0 0.45em;
    border-radius: 999px;
    border: 1px solid var(--crm-color-border, #d0d7de);
    font-size: 0.8em;
  }
  .tag.URGENT,
  .tag.HIGH,
  .tag.breached {
    border-color: currentColor;
    color: var(--crm-color-danger, #a4161a);
  }
  .error {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 0.6rem;
  }
  .error-text {
    color: var(--crm-color-danger, #a4161a);
    font-weight: 600;
  }
  .retry {
    padding: 0.35em 1em;
    border: 1px solid var(--crm-color-accent, #0b57d0);
    border-radius: var(--crm-radius, 6px);
    background: var(--crm-color-accent, #0b57d0);
    color: var(--crm-color-on-accent, #ffffff);
    cursor: pointer;
  }
  .sk {
    display: block;
    height: 0.9em;
    margin: 0.55em 0;
    border-radius: 4px;
    background: var(--crm-color-skeleton, #e8ebef);
    animation: crm-pulse 1.2s ease-in-out infinite;
  }
  .sk.title {
    width: 55%;
    height: 1.3em;
  }
  .sk.w80 {
    width: 80%;
  }
  .sk.w60 {
    width: 60%;
  }
  .sk.w40 {
    width: 40%;
  }
  @keyframes crm-pulse {
    50% {
      opacity: 0.45;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .sk {
      animation: none;
    }
  }
`;
