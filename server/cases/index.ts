import { mergeMovesTables } from '../customers/customer.service.js';

// Cases follow their customer into a merge.
mergeMovesTables.push('service_case');

export { CaseCompensationResolver, ServiceCaseResolver } from './case.resolver.js';
