import { mergeMovesTables } from '../customers/customer.service.js';

// Responses and invitations follow their customer into a merge.
mergeMovesTables.push('survey_response', 'survey_invitation');

export {
  SurveyAnalyticsResolver, SurveyInvitationResolver, SurveyResolver, SurveyResponseResolver, SurveyVersionResolver, VerbatimResolver,
} from './survey.resolver.js';
