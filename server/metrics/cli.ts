/** `clientele metrics recompute [--tenant S] [--as-of DATE]`, with a progress bar. */
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { cliCommands } from '../cli/registry.js';
import { loadConfig } from '../config.js';
import { createOrm, migrate, sqlEm, targetFromConfig } from '../db/orm.js';
import { checkAsOf, createJob, runJob } from './jobs.service.js';
import { MetricsJobTrigger } from './metrics-job.entity.js';

/** `YYYY-MM-DD` means the end of that day (UTC), capped at now; anything else must be an ISO date-time. */
export function parseAsOfOption(value: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = dateOnly ? new Date(`${value}T23:59:59.999Z`) : new Date(value);
  if (Number.isNaN(date.getTime()) || (!dateOnly && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new InvalidArgumentError('must be a date like 2025-06-30 or an ISO date-time like 2025-06-30T12:00:00Z');
  }
  if (dateOnly && date.getTime() > Date.now() && value === new Date().toISOString().slice(0, 10)) return new Date();
  return date;
}

function register(program: Command): void {
  const metrics = program.command('metrics').description('customer value metrics');
  metrics
    .command('recompute')
    .description('recompute every customer’s metrics and refit the value models, for one tenant or all')
    .option('--tenant <slug>', 'only this tenant (default: every tenant)')
    .option('--as-of <date>', 'observation end: orders after it are ignored (default: now)', parseAsOfOption)
    .option('--no-progress', 'no progress bar')
    .action(async (opts: { tenant?: string; asOf?: Date; progress: boolean }) => {
      const asOf = checkAsOf(opts.asOf ?? null, '--as-of');
      const orm = await createOrm({ ...targetFromConfig(loadConfig()), debug: false });
      try {
        await migrate(orm);
        const em = sqlEm(orm);
        const tenants = await em.execute<{ id: string; slug: string }[]>(
          `select id, slug from tenant ${opts.tenant ? 'where slug = ?' : ''} order by slug`,
          opts.tenant ? [opts.tenant] : [],
        );
        if (!tenants.length) throw new InvalidArgumentError(opts.tenant ? `no tenant with slug "${opts.tenant}"` : 'there are no tenants yet');
        for (const tenant of tenants) {
          const bar = opts.progress
            ? new cliProgress.SingleBar(
                { format: `${tenant.slug} [{bar}] {percentage}% | {phase} | {processed}/{customers} customers`, hideCursor: true },
                cliProgress.Presets.shades_classic,
              )
            : null;
          bar?.start(1000, 0, { phase: 'QUEUED', processed: 0, customers: '?' });
          const job = await createJob(em, tenant.id, asOf, MetricsJobTrigger.CLI, 'cli');
          let done;
          try {
            done = await runJob(em, tenant.id, job.id, (p) => {
              bar?.update(Math.round(p.progress * 1000), { phase: p.phase, processed: p.processed, customers: p.total });
            });
            bar?.update(1000, { phase: 'DONE', processed: done.totalCustomers, customers: done.totalCustomers });
          } finally {
            bar?.stop();
          }
          const models = await em.execute<{ kind: string; status: string; reason: string | null }[]>(
            'select kind, status, reason from value_model where tenant_id = ? and job_id = ? order by kind',
            [tenant.id, job.id],
          );
          console.log(
            `Recomputed metrics of ${done.totalCustomers} customers in tenant "${tenant.slug}" as of ${asOf.toISOString()} ` +
              `in ${done.durationMs} ms; job ${done.id}`,
          );
          for (const m of models) console.log(`  ${m.kind}: ${m.status}${m.reason ? ` (${m.reason})` : ''}`);
        }
      } finally {
        await orm.close();
      }
    });
}

cliCommands.push(register);
