import { defineElement } from '../shared/define.js';
import { CrmFeedbackForm } from './crm-feedback-form.js';

export { CrmFeedbackForm };
export type { FeedbackErrorDetail, FeedbackSubmitDetail } from './crm-feedback-form.js';
defineElement('crm-feedback-form', CrmFeedbackForm);
