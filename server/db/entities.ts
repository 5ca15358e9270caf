import { ApiKey } from '../auth/api-key.entity.js';
import { Contact } from '../customers/contact.entity.js';
import { CustomFieldDefinition } from '../customers/custom-field.entity.js';
import { Customer } from '../customers/customer.entity.js';
import { CaseCompensation, CaseEvent, ServiceCase } from '../cases/case.entity.js';
import { Feedback, FeedbackCategory } from '../feedback/feedback.entity.js';
import { Interaction } from '../interactions/interaction.entity.js';
import { CustomerMetricsRecord } from '../metrics/metrics.entity.js';
import { MetricsJob } from '../metrics/metrics-job.entity.js';
import { ValueModel } from '../metrics/value-model.entity.js';
import { Order } from '../orders/order.entity.js';
import { Survey, SurveyInvitation, SurveyResponse, SurveyVersion } from '../surveys/survey.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

export const entities = [Tenant, ApiKey, Customer, Contact, CustomFieldDefinition, Interaction, Order, CustomerMetricsRecord, ValueModel, MetricsJob,
  Survey, SurveyVersion, SurveyResponse, SurveyInvitation, FeedbackCategory, Feedback, ServiceCase, CaseEvent, CaseCompensation];
