import { mergeMovesTables } from '../customers/customer.service.js';

// Feedback follows its customer into a merge.
mergeMovesTables.push('feedback');

// Registers the voice-of-the-customer churn reasons with the metrics feature (side effect).
import './churn-signals.js';

export { FeedbackResolver, VocCategoryResolver } from './feedback.resolver.js';
