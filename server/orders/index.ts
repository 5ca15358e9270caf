/**
 * Orders: wiring into the rest of the server. Importing this module lets customer reads bring
 * their first page of orders in their own statement (customerJoins).
 */
import { customerJoins } from '../customers/customer.service.js';
import { ordersWithCustomers } from './order.service.js';

export { CustomerOrdersResolver, OrderResolver } from './order.resolver.js';

customerJoins.orders = ordersWithCustomers.join;
