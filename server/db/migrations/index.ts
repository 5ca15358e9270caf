import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000001_foundation } from './Migration20261122000001_foundation.js';
import { Migration20261122000002_metrics } from './Migration20261122000002_metrics.js';
import { Migration20261122000003_surveys_feedback_cases } from './Migration20261122000003_surveys_feedback_cases.js';
import { Migration20261122000004_segments_tiers_plans } from './Migration20261122000004_segments_tiers_plans.js';
import { Migration20261122000005_survey_targeting } from './Migration20261122000005_survey_targeting.js';
import { Migration20261122000006_customer_activity } from './Migration20261122000006_customer_activity.js';
import { Migration20261122000006_metrics_indexes } from './Migration20261122000006_metrics_indexes.js';
import { Migration20261122000007_churn_clv_index } from './Migration20261122000007_churn_clv_index.js';
import { Migration20261203000008_metrics_partitions } from './Migration20261203000008_metrics_partitions.js';

/** Every migration, in order. Listed explicitly so they load the same from source and from tests. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122000001_foundation', class: Migration20261122000001_foundation },
  { name: 'Migration20261122000002_metrics', class: Migration20261122000002_metrics },
  { name: 'Migration20261122000003_surveys_feedback_cases', class: Migration20261122000003_surveys_feedback_cases },
  { name: 'Migration20261122000004_segments_tiers_plans', class: Migration20261122000004_segments_tiers_plans },
  { name: 'Migration20261122000005_survey_targeting', class: Migration20261122000005_survey_targeting },
  { name: 'Migration20261122000006_customer_activity', class: Migration20261122000006_customer_activity },
  { name: 'Migration20261122000006_metrics_indexes', class: Migration20261122000006_metrics_indexes },
  { name: 'Migration20261122000007_churn_clv_index', class: Migration20261122000007_churn_clv_index },
  { name: 'Migration20261203000008_metrics_partitions', class: Migration20261203000008_metrics_partitions },
];
