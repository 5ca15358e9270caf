/** Segments: wiring into the rest of the server (refresh after every metrics recompute). */
import { afterRecomputeHooks } from '../metrics/jobs.service.js';
import { refreshAllSegments } from './segment.service.js';

afterRecomputeHooks.push(async (em, tenantId) => {
  await refreshAllSegments(em, tenantId);
});

export { CustomerSegmentsResolver, SegmentMembershipEventResolver, SegmentResolver } from './segment.resolver.js';
