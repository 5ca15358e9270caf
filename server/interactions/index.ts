/**
 * Interactions: wiring into the rest of the server. Importing this module lets customer reads
 * bring their first page of interactions in their own statement (customerJoins).
 */
import { customerJoins } from '../customers/customer.service.js';
import { interactionsWithCustomers } from './interaction.service.js';

export { CustomerInteractionsResolver, InteractionResolver } from './interaction.resolver.js';

customerJoins.interactions = interactionsWithCustomers.join;
