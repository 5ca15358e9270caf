import { svg, type SVGTemplateResult } from 'lit';

// Small inline icons (no network, no inline styles: CSP-safe). Decorative: the label is on the wrapper.
const wrap = (body: SVGTemplateResult) =>
  svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${body}</svg>`;

const phone = wrap(svg`<path d="M5 3h4l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2"/>`);
const mail = wrap(svg`<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>`);
const chat = wrap(svg`<path d="M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12z"/>`);
const web = wrap(svg`<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>`);
const person = wrap(svg`<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>`);
const other = wrap(svg`<circle cx="12" cy="12" r="3"/>`);

const byChannel: Record<string, SVGTemplateResult> = {
  PHONE: phone,
  EMAIL: mail,
  CHAT: chat,
  SMS: chat,
  WECHAT: chat,
  SOCIAL: chat,
  MOBILE_APP: chat,
  WEB: web,
  IN_PERSON: person,
  PARTNER: person,
};

export function channelIcon(channel: string): SVGTemplateResult {
  return byChannel[channel] ?? other;
}
