/**
 * The service desk's clock. SLA states, case timestamps and service metrics read "now" here,
 * so tests can move time (setClock) and watch a case go ON_TRACK -> AT_RISK -> BREACHED.
 */
let override: (() => Date) | null = null;

export function now(): Date {
  return override ? new Date(override().getTime()) : new Date();
}

/** Pins the clock to a date (or a function of real time); `null` returns to real time. */
export function setClock(to: Date | (() => Date) | null): void {
  override = to === null ? null : typeof to === 'function' ? to : () => to;
}
