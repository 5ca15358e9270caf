import '../shared/events.js';
import { defineElement } from '../shared/define.js';
import { CrmChurnBadge } from './crm-churn-badge.js';

export { CrmChurnBadge };
export type { ChurnReason } from './crm-churn-badge.js';
defineElement('crm-churn-badge', CrmChurnBadge);

declare global {
  interface HTMLElementTagNameMap {
    'crm-churn-badge': CrmChurnBadge;
  }
}
