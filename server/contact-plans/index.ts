/** Contact plans: cadence policies per tier or segment, and the follow-up tasks they generate. */
export { ContactPolicyResolver, FollowUpResolver } from './contact-plan.resolver.js';
