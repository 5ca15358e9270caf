// The all-in-one entry (built as the IIFE crm-widgets.js): every element, provider first so widgets
// upgraded after it find their configuration at once.
export * from './provider/index.js';
export * from './churn-badge/index.js';
export * from './customer-card/index.js';
export * from './nps-scale/index.js';
export * from './feedback-form/index.js';
export { WidgetError } from './shared/client.js';
export { WIDGETS_VERSION } from './shared/define.js';
export type { WidgetConfig } from './shared/config.js';
export type { CrmErrorDetail, CrmLoadDetail } from './shared/events.js';
