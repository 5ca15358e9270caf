/**
 * Recompute jobs: one row per run in metrics_job, whatever started it (API, CLI, demo seed).
 * At most one job per tenant is QUEUED or RUNNING (a partial unique index); a job whose
 * heartbeat stopped for 10 minutes (its process died) is marked FAILED so a new one can start.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em } from '../db/orm.js';
import { newId } from '../db/ids.js';
import { AppError, BadUserInputError, ConflictError, NotFoundError } from '../graphql/errors.js';
import { checkId } from '../graphql/validate.js';
import { MetricsJob, MetricsJobPhase, type MetricsJobTrigger } from './metrics-job.entity.js';
import { recomputeTenant, type RecomputeProgress } from './recompute.service.js';

/**
 * Steps that follow every successful recompute (tier assignment, dynamic segment refresh), run
 * before the job reports SUCCEEDED. Derived data: a failing hook is logged, never fails the job.
 */
export const afterRecomputeHooks: ((em: Em, tenantId: string) => Promise<void>)[] = [];

const STALE_AFTER_MS = 10 * 60_000;
const PROGRESS_EVERY_MS = 200;
/** Clock skew allowed for an asOf "now". */
const FUTURE_SLACK_MS = 5 * 60_000;

/** asOf defaults to now; in the future or before 1900 it is BAD_USER_INPUT. */
export function checkAsOf(asOf: Date | null | undefined, path = 'asOf'): Date {
  if (asOf == null) return new Date();
  const time = asOf.getTime();
  if (Number.isNaN(time)) throw new BadUserInputError([{ path, message: 'is not a valid date-time' }]);
  if (time > Date.now() + FUTURE_SLACK_MS) {
    throw new BadUserInputError([{ path, message: 'must not be in the future: it is the observation end, orders after it are ignored' }]);
  }
  if (time < Date.UTC(1900, 0, 1)) throw new BadUserInputError([{ path, message: 'must not be before 1900-01-01' }]);
  return time > Date.now() ? new Date() : asOf;
}

function mapJob(em: Em, row: Record<string, unknown>): MetricsJob {
  return em.map(MetricsJob, row as never);
}

export async function createJob(
  em: Em,
  tenantId: string,
  asOf: Date,
  trigger: MetricsJobTrigger,
  requestedBy: string | null,
): Promise<MetricsJob> {
  await em.execute(
    `update metrics_job set status = 'FAILED', error = 'abandoned: no progress for 10 minutes (the process running it stopped)', finished_at = now()
      where tenant_id = ? and status in ('QUEUED', 'RUNNING') and heartbeat_at < ?::timestamptz`,
    [tenantId, new Date(Date.now() - STALE_AFTER_MS).toISOString()],
  );
  const id = newId();
  try {
    const [row] = await em.execute<Record<string, unknown>[]>(
      `insert into metrics_job (tenant_id, id, status, trigger, as_of, requested_by) values (?, ?, 'QUEUED', ?, ?::timestamptz, ?) returning *`,
      [tenantId, id, trigger, asOf.toISOString(), requestedBy],
    );
    return mapJob(em, row);
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      const [active] = await em.execute<{ id: string }[]>(
        `select id from metrics_job where tenant_id = ? and status in ('QUEUED', 'RUNNING') limit 1`,
        [tenantId],
      );
      throw new ConflictError('A metrics recompute is already queued or running for this tenant; follow it with metricsJob(id)', {
        jobId: active?.id ?? null,
      });
    }
    throw error;
  }
}

export async function getJob(em: Em, tenantId: string, id: string): Promise<MetricsJob> {
  checkId(id, 'id');
  const [row] = await em.execute<Record<string, unknown>[]>('select * from metrics_job where tenant_id = ? and id = ?', [tenantId, id]);
  if (!row) throw new NotFoundError('MetricsJob', id);
  return mapJob(em, row);
}

export async function listJobs(em: Em, tenantId: string, first: number): Promise<MetricsJob[]> {
  if (!(first >= 1 && first <= 100)) throw new BadUserInputError([{ path: 'first', message: 'must be between 1 and 100' }]);
  const rows = await em.execute<Record<string, unknown>[]>(
    'select * from metrics_job where tenant_id = ? order by created_at desc, id desc limit ?',
    [tenantId, first],
  );
  return rows.map((r) => mapJob(em, r));
}

/**
 * Runs a QUEUED job to the end: RUNNING with progress, then SUCCEEDED (progress 1) or FAILED.
 * `onProgress` sees every step (the CLI's progress bar); the row is updated at most every 200 ms.
 */
export async function runJob(
  em: Em,
  tenantId: string,
  jobId: string,
  onProgress?: (p: RecomputeProgress) => void,
  options: { rebuildMinCustomers?: number } = {},
): Promise<MetricsJob> {
  const [job] = await em.execute<{ as_of: string | Date }[]>(
    `update metrics_job set status = 'RUNNING', started_at = now(), heartbeat_at = now(), phase = 'AGGREGATING'
      where tenant_id = ? and id = ? and status = 'QUEUED' returning as_of`,
    [tenantId, jobId],
  );
  if (!job) throw new ConflictError(`Metrics job ${jobId} is not queued`);
  let last = 0;
  let lastPhase = '';
  try {
    const result = await recomputeTenant(em, tenantId, {
      asOf: new Date(job.as_of),
      jobId,
      rebuildMinCustomers: options.rebuildMinCustomers,
      onProgress: async (p) => {
        onProgress?.(p);
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS && p.phase === lastPhase) return;
        last = now;
        lastPhase = p.phase;
        await em.execute(
          `update metrics_job set phase = ?, progress = ?, processed_customers = ?, total_customers = ?, heartbeat_at = now()
            where tenant_id = ? and id = ?`,
          [p.phase, Math.min(0.99, p.progress), p.processed, p.total, tenantId, jobId],
        );
      },
    });
    for (const hook of afterRecomputeHooks) {
      await hook(em, tenantId).catch((error) => console.error(`after-recompute step of metrics job ${jobId} failed:`, error));
    }
    await em.execute(
      `update metrics_job set status = 'SUCCEEDED', phase = ?, progress = 1, processed_customers = ?, total_customers = ?,
              bgnbd_model_id = ?, gamma_gamma_model_id = ?, summary = ?::jsonb, finished_at = now(), heartbeat_at = now()
        where tenant_id = ? and id = ?`,
      [
        MetricsJobPhase.DONE, result.summary.customers ?? 0, result.summary.customers ?? 0, result.bgnbdModelId, result.gammaGammaModelId,
        JSON.stringify(result.summary), tenantId, jobId,
      ],
    );
  } catch (error) {
    // Only our own errors are shown to clients; anything else may quote SQL and is logged instead.
    const message = error instanceof AppError ? error.message.slice(0, 500) : `internal error in metrics job ${jobId}; see the server log`;
    await em
      .execute(`update metrics_job set status = 'FAILED', error = ?, finished_at = now() where tenant_id = ? and id = ?`, [message, tenantId, jobId])
      .catch(() => undefined);
    throw error;
  }
  return getJob(em, tenantId, jobId);
}

const running = new Set<Promise<unknown>>();

/** Starts a queued job without waiting for it (the API's recomputeMetrics). */
export function runJobInBackground(em: Em, tenantId: string, jobId: string, log: (msg: string) => void = console.error): void {
  const task = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => runJob(em.fork() as Em, tenantId, jobId))
    .catch((error) => log(`metrics job ${jobId} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`))
    .finally(() => running.delete(task));
  running.add(task);
}

/** Resolves when every background job of this process has finished (tests, graceful shutdown). */
export async function backgroundJobsSettled(): Promise<void> {
  while (running.size) await Promise.allSettled([...running]);
}

