import '../shared/events.js';
import { defineElement } from '../shared/define.js';
import { CrmCustomerCard } from './crm-customer-card.js';

export { CrmCustomerCard };
defineElement('crm-customer-card', CrmCustomerCard);

declare global {
  interface HTMLElementTagNameMap {
    'crm-customer-card': CrmCustomerCard;
  }
}
