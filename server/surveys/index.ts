export {
  SurveyAnalyticsResolver, SurveyInvitationResolver, SurveyResolver, SurveyResponseResolver, SurveyVersionResolver, VerbatimResolver,
} from './survey.resolver.js';
