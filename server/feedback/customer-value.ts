import type { Em } from '../db/orm.js';

/**
 * The value of each customer, as SQL yielding (customer_id, v numeric), in the tenant's currency.
 * Prefers the metrics feature's customer_metrics.customer_value (historic value + predicted CLV)
 * and falls back to lifetime order totals (CANCELLED and REFUNDED excluded) for customers not
 * scored yet — or for every customer when the table is absent (checked once per process: the
 * schema only changes by migration).
 */
export interface ValueSource {
  sql: string;
  params: unknown[];
  source: 'ORDERS' | 'CUSTOMER_METRICS';
}

let metricsColumns: Promise<Set<string>> | undefined;

async function customerMetricsColumns(em: Em): Promise<Set<string>> {
  metricsColumns ??= em
    .execute<{ column_name: string }[]>(
      `select column_name from information_schema.columns where table_schema = current_schema() and table_name = 'customer_metrics'`,
    )
    .then((rows) => new Set(rows.map((r) => r.column_name)))
    .catch((error) => {
      metricsColumns = undefined;
      throw error;
    });
  return metricsColumns;
}

const ORDER_TOTALS = `select o.customer_id, sum(o.total_amount) as v from customer_order o
  where o.tenant_id = ? and o.currency = ? and o.status not in ('CANCELLED', 'REFUNDED') group by o.customer_id`;

export async function customerValueSource(em: Em, tenantId: string, currency: string): Promise<ValueSource> {
  const columns = await customerMetricsColumns(em);
  if (['customer_id', 'customer_value', 'currency'].every((c) => columns.has(c))) {
    return {
      sql: `select coalesce(m.customer_id, o.customer_id) as customer_id, coalesce(m.customer_value, o.v) as v
              from (${ORDER_TOTALS}) o
              full join (select customer_id, customer_value from customer_metrics where tenant_id = ? and currency = ?) m
                on m.customer_id = o.customer_id`,
      params: [tenantId, currency, tenantId, currency],
      source: 'CUSTOMER_METRICS',
    };
  }
  return { sql: ORDER_TOTALS, params: [tenantId, currency], source: 'ORDERS' };
}

/** Whether customer_metrics.value_tier exists (for breakdowns by tier). */
export async function hasValueTiers(em: Em): Promise<boolean> {
  return (await customerMetricsColumns(em)).has('value_tier');
}
