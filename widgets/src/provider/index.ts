import { defineElement } from '../shared/define.js';
import { CrmProvider } from './crm-provider.js';

export { CrmProvider };
defineElement('crm-provider', CrmProvider);

declare global {
  interface HTMLElementTagNameMap {
    'crm-provider': CrmProvider;
  }
}
