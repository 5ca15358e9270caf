import { ApiKey } from '../auth/api-key.entity.js';
import { Contact } from '../customers/contact.entity.js';
import { CustomFieldDefinition } from '../customers/custom-field.entity.js';
import { Customer } from '../customers/customer.entity.js';
import { Interaction } from '../interactions/interaction.entity.js';
import { Order } from '../orders/order.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

export const entities = [Tenant, ApiKey, Customer, Contact, CustomFieldDefinition, Interaction, Order];
