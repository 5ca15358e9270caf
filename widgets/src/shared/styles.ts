import { css } from 'lit';

/**
 * Base styles every widget adopts (constructable stylesheets: allowed under `style-src 'self'`).
 * `all: initial` stops the host page's inherited styles (font, colour, line height…) at the shadow
 * boundary; custom properties still inherit, which is exactly the theming channel we document.
 */
export const baseStyles = css`
  :host {
    all: initial;
    display: block;
    box-sizing: border-box;
    font-family: var(--crm-font-family, system-ui, sans-serif);
    font-size: var(--crm-font-size, 14px);
    line-height: 1.45;
    color: var(--crm-color-text, #1f2328);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  :focus-visible {
    outline: 2px solid var(--crm-color-focus, #0b57d0);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    color: inherit;
  }
`;
