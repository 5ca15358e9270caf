import 'reflect-metadata';
import fs from 'node:fs';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './auth/auth-checker.js';
import { withPlainFieldResolvers, withSyncTypeResolvers } from './graphql/execution.js';
import { CustomerResolver, CustomFieldResolver } from './customers/customer.resolver.js';
import { CustomerInteractionsResolver, InteractionResolver } from './interactions/index.js';
import { CustomerOrdersResolver, OrderResolver } from './orders/index.js';
import { OrderImportResolver } from './orders/import.resolver.js';
import {
  ChurnWatchlistEntryResolver, CustomerMetricsResolver, MetricsJobResolver, MetricsSettingsResolver, TenantAnalyticsResolver,
} from './metrics/index.js';
import { TenantResolver } from './tenants/tenant.resolver.js';
import {
  SurveyAnalyticsResolver, SurveyInvitationResolver, SurveyResolver, SurveyResponseResolver, SurveyVersionResolver, VerbatimResolver,
} from './surveys/index.js';
import { FeedbackResolver, VocCategoryResolver } from './feedback/index.js';
import { CaseCompensationResolver, ServiceCaseResolver } from './cases/index.js';
import { CustomerTimelineResolver, TimelineEntryResolver } from './timeline/index.js';
// Tiers before segments: after a metrics recompute, tiers are reassigned first (hooks run in import order).
import { CustomerTierResolver, TierResolver } from './tiers/index.js';
import { CustomerSegmentsResolver, SegmentMembershipEventResolver, SegmentResolver } from './segments/index.js';
import { ContactPolicyResolver, FollowUpResolver } from './contact-plans/index.js';
import { WidgetCustomerResolver, WidgetResolver } from './widgets/index.js';
import { withLeanResolvers } from './graphql/lean-resolvers.js';
import { DateTimeScalar } from './graphql/scalars.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  TenantResolver,
  CustomerResolver,
  CustomFieldResolver,
  InteractionResolver,
  CustomerInteractionsResolver,
  OrderResolver,
  CustomerOrdersResolver,
  OrderImportResolver,
  CustomerMetricsResolver,
  MetricsJobResolver,
  TenantAnalyticsResolver,
  ChurnWatchlistEntryResolver,
  MetricsSettingsResolver,
  SurveyResolver,
  SurveyVersionResolver,
  SurveyResponseResolver,
  SurveyInvitationResolver,
  SurveyAnalyticsResolver,
  VerbatimResolver,
  FeedbackResolver,
  VocCategoryResolver,
  ServiceCaseResolver,
  CaseCompensationResolver,
  CustomerTimelineResolver,
  TimelineEntryResolver,
  SegmentResolver,
  SegmentMembershipEventResolver,
  CustomerSegmentsResolver,
  TierResolver,
  CustomerTierResolver,
  ContactPolicyResolver,
  FollowUpResolver,
  WidgetResolver,
  WidgetCustomerResolver,
];

let built: Promise<GraphQLSchema> | undefined;

export function getSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, authChecker, validate: false, scalarsMap: [{ type: Date, scalar: DateTimeScalar }] }).then(withPlainFieldResolvers).then(withSyncTypeResolvers).then(withLeanResolvers);
  return built;
}

/** The SDL committed as schema.graphql: sorted, so it diffs cleanly. */
export async function schemaSdl(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await getSchema()))}\n`;
}

export async function writeSchemaFile(file: string): Promise<void> {
  fs.writeFileSync(file, await schemaSdl());
}
