/** Tiers: wiring into the rest of the server (reassigned after every metrics recompute). */
import { afterRecomputeHooks } from '../metrics/jobs.service.js';
import { refreshTiers } from './tier.service.js';

afterRecomputeHooks.push(async (em, tenantId) => {
  await refreshTiers(em, tenantId);
});

export { CustomerTierResolver, TierResolver } from './tier.resolver.js';
