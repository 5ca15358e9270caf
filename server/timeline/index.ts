export { CustomerTimelineResolver, TimelineEntryResolver } from './timeline.resolver.js';
