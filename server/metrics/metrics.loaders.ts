import type { Context } from '../context.js';
import { customerPagePrefetches } from '../customers/customer.prefetch.js';
import type { Em } from '../db/orm.js';
import { CustomerMetricsRecord } from './metrics.entity.js';
import { metricsByCustomerIds, toCustomerMetrics } from './metrics.service.js';
import type { CustomerMetrics } from './metrics.types.js';
import { resolveMetricsSettings } from './settings.js';

/** The request's loader for `customer.metrics`. */
export function customerMetricsLoader(ctx: Context) {
  return ctx.loaders.get<string, CustomerMetrics | null>('customer.metrics', (ids) => metricsByCustomerIds(ctx.em, ctx.principal, ids));
}

/** customer_metrics' columns as the page statement selects them: [column, its alias there]. */
const columnsByOrm = new WeakMap<object, [string, string][]>();
function metricsColumns(em: Em): [string, string][] {
  const metadata = em.getMetadata();
  let columns = columnsByOrm.get(metadata);
  if (!columns) {
    const names = Object.values(metadata.get(CustomerMetricsRecord).properties).flatMap((p) => (p.persist !== false && p.fieldNames?.length === 1 ? p.fieldNames : []));
    columns = [...names, 'bg_params__', 'gg_params__'].map((c) => [c, `pm__${c}`]);
    columnsByOrm.set(metadata, columns);
  }
  return columns;
}

// The metrics of a customer list's customers come in the list's statement. Plain joins on the
// tenant's own value (not the page row's) let PostgreSQL prune customer_metrics' partitions when
// planning: a lateral subquery or a join on p.tenant_id doubled the statement's planning time.
customerPagePrefetches.metrics = (ctx) => {
  const columns = metricsColumns(ctx.em);
  const tenantId = ctx.principal.tenantId;
  return {
    select: columns.map(([c, alias]) => (c.endsWith('_params__') ? '' : `, pm__.${c} as "${alias}"`)).join('') +
      ', pbg__.params as "pm__bg_params__", pgg__.params as "pm__gg_params__"',
    join: `left join customer_metrics pm__ on pm__.tenant_id = ? and pm__.customer_id = p.id
           left join value_model pbg__ on pbg__.tenant_id = ? and pbg__.id = pm__.bgnbd_model_id
           left join value_model pgg__ on pgg__.tenant_id = ? and pgg__.id = pm__.gamma_gamma_model_id`,
    params: [tenantId, tenantId, tenantId],
    prime(rows) {
      const loader = customerMetricsLoader(ctx);
      const rate = resolveMetricsSettings(ctx.principal.tenant.settings).annualDiscountRate;
      for (const row of rows) {
        if (row.pm__customer_id == null) {
          loader.prime(String(row.id), null);
          continue;
        }
        const metrics: Record<string, unknown> = {};
        for (const [c, alias] of columns) metrics[c] = row[alias];
        loader.prime(String(row.id), toCustomerMetrics(ctx.em, metrics, rate));
      }
    },
  };
};
