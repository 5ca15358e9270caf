import { css } from 'lit';

export const badgeStyles = css`
  :host {
    display: inline-block;
    position: relative;
    vertical-align: middle;
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    margin: 0;
    padding: 0.15em 0.6em;
    border: 1px solid currentColor;
    border-radius: var(--crm-badge-radius, 999px);
    font: inherit;
    font-size: 0.9em;
    font-weight: 600;
    white-space: nowrap;
    background: var(--crm-badge-bg);
    color: var(--crm-badge-color);
  }
  .dot {
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: currentColor;
  }
  /* Colour is never the only signal: every level also has its text label. */
  .LOW {
    --crm-badge-bg: var(--crm-risk-low-bg, #e6f4ea);
    --crm-badge-color: var(--crm-risk-low-color, #1b5e20);
  }
  .MEDIUM {
    --crm-badge-bg: var(--crm-risk-medium-bg, #fff4e0);
    --crm-badge-color: var(--crm-risk-medium-color, #7a4100);
  }
  .HIGH {
    --crm-badge-bg: var(--crm-risk-high-bg, #fdecea);
    --crm-badge-color: var(--crm-risk-high-color, #a4161a);
  }
  .CHURNED {
    --crm-badge-bg: var(--crm-risk-churned-bg, #eceff1);
    --crm-badge-color: var(--crm-risk-churned-color, #37474f);
  }
  .NONE {
    --crm-badge-bg: var(--crm-color-surface, #ffffff);
    --crm-badge-color: var(--crm-color-muted, #57606a);
    font-weight: 400;
  }
  .tooltip {
    position: absolute;
    z-index: var(--crm-tooltip-z-index, 10);
    top: calc(100% + 6px);
    left: 0;
    min-width: 14em;
    max-width: 22em;
    padding: 0.5em 0.75em;
    border-radius: var(--crm-radius, 6px);
    background: var(--crm-tooltip-bg, #24292f);
    color: var(--crm-tooltip-color, #ffffff);
    font-size: 0.85em;
    font-weight: 400;
    white-space: normal;
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.2);
  }
  .tooltip p {
    margin: 0 0 0.25em;
  }
  .tooltip ul {
    margin: 0;
    padding-left: 1.1em;
  }
`;
