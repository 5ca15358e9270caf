export { CaseCompensationResolver, ServiceCaseResolver } from './case.resolver.js';
