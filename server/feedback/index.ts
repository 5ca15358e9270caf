// Registers the voice-of-the-customer churn reasons with the metrics feature (side effect).
import './churn-signals.js';

export { FeedbackResolver, VocCategoryResolver } from './feedback.resolver.js';
