import { Migration } from '@mikro-orm/migrations';

/**
 * Optional survey targeting: a survey may be aimed at one segment of its tenant; only the
 * segment's current members may respond. The composite key keeps the segment in the tenant.
 */
export class Migration20261122000005_survey_targeting extends Migration {
  override up(): void {
    this.addSql(`alter table survey add column target_segment_id uuid`);
    this.addSql(`
      alter table survey add constraint survey_target_segment_fk
        foreign key (tenant_id, target_segment_id) references segment (tenant_id, id)`);
    this.addSql(`create index survey_target_segment_idx on survey (tenant_id, target_segment_id) where target_segment_id is not null`);
  }

  override down(): void {
    this.addSql(`drop index if exists survey_target_segment_idx`);
    this.addSql(`alter table survey drop constraint if exists survey_target_segment_fk`);
    this.addSql(`alter table survey drop column if exists target_segment_id`);
  }
}
