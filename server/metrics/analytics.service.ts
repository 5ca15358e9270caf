/**
 * Tenant analytics over customer_metrics and the latest successful recompute: the value model,
 * Pareto share, RFM and lifecycle distributions, the churn watchlist and the demand forecast.
 * Each is one or two grouped statements, whatever the number of customers.
 */
import type { Principal } from '../auth/keys.service.js';
import type { Em } from '../db/orm.js';
import { BadUserInputError } from '../graphql/errors.js';
import { Money } from '../graphql/scalars.js';
import { expectedPurchasesWhileAlive, type BgNbdParams } from './bgnbd.js';
import type { MetricsJobSummary } from './metrics-job.entity.js';
import { metricsByValueAtRisk } from './metrics.service.js';
import {
  ChurnWatchlistEntry, DemandForecast, LifecycleCount, LifecycleStage, MAX_HORIZON_DAYS, Pareto, ParetoPoint, RfmSegment,
  RfmSegmentCount, TierForecast, ValueTier,
} from './metrics.types.js';
import { amountToDecimal, unitsToDecimal } from './scoring.js';
import { ValueModel, ValueModelKind } from './value-model.entity.js';
import { parseJson } from '../db/json-column.js';

/** The model of `kind` the tenant's latest successful recompute fitted (null before the first). */
export async function currentValueModel(em: Em, tenantId: string, kind: ValueModelKind): Promise<ValueModel | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select v.* from metrics_job j
       join value_model v on v.tenant_id = j.tenant_id and v.id = ${kind === ValueModelKind.BGNBD ? 'j.bgnbd_model_id' : 'j.gamma_gamma_model_id'}
      where j.tenant_id = ? and j.status = 'SUCCEEDED'
      order by j.finished_at desc, j.id desc limit 1`,
    [tenantId],
  );
  return row ? em.map(ValueModel, row as never) : null;
}

export async function modelsOfJob(em: Em, tenantId: string, jobId: string): Promise<ValueModel[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    'select * from value_model where tenant_id = ? and job_id = ? order by kind',
    [tenantId, jobId],
  );
  return rows.map((r) => em.map(ValueModel, r as never));
}

async function tenantCurrency(em: Em, tenantId: string): Promise<string> {
  const [row] = await em.execute<{ default_currency: string }[]>('select default_currency from tenant where id = ?', [tenantId]);
  return String(row?.default_currency ?? 'USD').trim();
}

export async function pareto(em: Em, tenantId: string): Promise<Pareto | null> {
  const [row] = await em.execute<{ summary: unknown; as_of: string | Date }[]>(
    `select summary, as_of from metrics_job where tenant_id = ? and status = 'SUCCEEDED' order by finished_at desc, id desc limit 1`,
    [tenantId],
  );
  const summary = parseJson<MetricsJobSummary>(row?.summary);
  if (!row || !summary?.pareto) return null;
  const currency = summary.currency ?? (await tenantCurrency(em, tenantId));
  return Object.assign(new Pareto(), {
    topFraction: 0.2,
    share: summary.pareto.share,
    buyers: summary.buyers ?? 0,
    totalRevenue: Money.of(unitsToDecimal(summary.pareto.totalUnits), currency),
    curve: summary.pareto.curve.map((p) => Object.assign(new ParetoPoint(), { customerFraction: p.customerFraction, revenueShare: p.valueShare })),
    asOf: new Date(row.as_of),
  });
}

export async function rfmDistribution(em: Em, tenantId: string): Promise<RfmSegmentCount[]> {
  const rows = await em.execute<{ segment: string; customers: number; revenue: string; currency: string }[]>(
    `select rfm_segment as segment, count(*)::int as customers, sum(total_spend)::text as revenue, min(currency) as currency
       from customer_metrics where tenant_id = ? and rfm_segment is not null group by rfm_segment`,
    [tenantId],
  );
  const currency = rows[0]?.currency?.trim() ?? (await tenantCurrency(em, tenantId));
  const total = rows.reduce((sum, r) => sum + Number(r.customers), 0);
  const bySegment = new Map(rows.map((r) => [r.segment, r]));
  return Object.values(RfmSegment).map((segment) => {
    const r = bySegment.get(segment);
    const customers = Number(r?.customers ?? 0);
    return Object.assign(new RfmSegmentCount(), {
      segment,
      customers,
      share: total ? customers / total : 0,
      revenue: Money.of(r?.revenue ?? '0', currency),
    });
  });
}

export async function lifecycleDistribution(em: Em, tenantId: string): Promise<LifecycleCount[]> {
  const rows = await em.execute<{ stage: string; customers: number }[]>(
    'select lifecycle_stage as stage, count(*)::int as customers from customer_metrics where tenant_id = ? group by lifecycle_stage',
    [tenantId],
  );
  const total = rows.reduce((sum, r) => sum + Number(r.customers), 0);
  const byStage = new Map(rows.map((r) => [r.stage, Number(r.customers)]));
  return Object.values(LifecycleStage).map((stage) =>
    Object.assign(new LifecycleCount(), { stage, customers: byStage.get(stage) ?? 0, share: total ? (byStage.get(stage) ?? 0) / total : 0 }),
  );
}

/** Customers by value at risk (predicted CLV × (1 − P(alive))), highest first; the customer itself comes from `loadCustomer`. */
export async function churnWatchlist(em: Em, principal: Principal, first: number): Promise<Omit<ChurnWatchlistEntry, 'customer'>[]> {
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new BadUserInputError([{ path: 'first', message: 'must be between 1 and 100' }]);
  const metrics = await metricsByValueAtRisk(em, principal, first);
  return metrics.map((m, i) =>
    Object.assign(new ChurnWatchlistEntry(), {
      rank: i + 1,
      customerId: m.record.customerId,
      valueAtRisk: m.valueAtRisk!,
      metrics: m,
    }),
  );
}

/**
 * Σ over buying customers of E[purchases in the next `days` days] (and × expected spend), from
 * the stored P(alive) and (x, T): customers sharing (tier, x, T, model) are one group, so the
 * hypergeometric term is evaluated once per group, not once per customer.
 */
export async function demandForecast(em: Em, tenantId: string, days: number): Promise<DemandForecast> {
  if (!Number.isInteger(days) || days < 0 || days > MAX_HORIZON_DAYS) {
    throw new BadUserInputError([{ path: 'days', message: `must be a whole number of days from 0 to ${MAX_HORIZON_DAYS}` }]);
  }
  const rows = await em.execute<Record<string, unknown>[]>(
    `select g.*, v.params from (
       select value_tier as tier, repeat_purchases as x, t_days, bgnbd_model_id, count(*)::int as customers,
              sum(p_alive)::float8 as sum_alive, sum(p_alive * expected_spend)::float8 as sum_alive_spend, min(currency) as currency
         from customer_metrics where tenant_id = ? and purchase_days > 0
        group by value_tier, repeat_purchases, t_days, bgnbd_model_id
     ) g left join value_model v on v.tenant_id = ? and v.id = g.bgnbd_model_id`,
    [tenantId, tenantId],
  );
  let currency = rows.find((r) => r.currency)?.currency as string | undefined;
  currency = currency?.trim() ?? (await tenantCurrency(em, tenantId));
  const tiers = new Map<string, { customers: number; orders: number; revenue: number }>(
    Object.values(ValueTier).map((t) => [t, { customers: 0, orders: 0, revenue: 0 }]),
  );
  let modelled = 0;
  for (const r of rows) {
    const tier = tiers.get(String(r.tier))!;
    tier.customers += Number(r.customers);
    const params = parseJson<BgNbdParams>(r.params);
    if (!params || r.sum_alive === null || days === 0) continue;
    modelled++;
    const x = Number(r.x), T = Number(r.t_days);
    const w = expectedPurchasesWhileAlive(params.r + x, params.alpha + T, params.a, params.b + x, days);
    tier.orders += Number(r.sum_alive) * w;
    tier.revenue += Number(r.sum_alive_spend ?? 0) * w;
  }
  let unavailableReason: string | null = null;
  if (!modelled && days > 0) {
    const model = await currentValueModel(em, tenantId, ValueModelKind.BGNBD);
    unavailableReason = model
      ? `The BG/NBD model is ${model.status}${model.reason ? `: ${model.reason}` : ''}`
      : 'No recompute has run yet: call recomputeMetrics';
  }
  const byTier = [...tiers].map(([tier, t]) =>
    Object.assign(new TierForecast(), {
      tier,
      customers: t.customers,
      expectedOrders: t.orders,
      expectedRevenue: Money.of(amountToDecimal(t.revenue), currency!),
    }),
  );
  return Object.assign(new DemandForecast(), {
    days,
    expectedOrders: byTier.reduce((s, t) => s + t.expectedOrders, 0),
    expectedRevenue: Money.of(amountToDecimal([...tiers.values()].reduce((s, t) => s + t.revenue, 0)), currency),
    byTier,
    unavailableReason,
  });
}
