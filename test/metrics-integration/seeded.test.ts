import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, sqlEm } from '../../server/db/orm.js';
import { queryPrepared } from '../../server/db/prepared.js';
import { onPostgres } from '../helpers/database.js';
import { seedCustomers } from '../../server/db/seed/demo.js';
import { onlyError, startTestServer, type TestServer } from '../helpers/server.js';
import { createJob, runJob } from '../../server/metrics/jobs.service.js';
import { MetricsJobTrigger } from '../../server/metrics/metrics-job.entity.js';
import { countSqlIn } from '../../server/db/sql-counter.js';
import { rescoreCustomers } from '../../server/metrics/recompute.service.js';
import { rescoreCoalesced } from '../../server/metrics/rescore-queue.js';
import { ALL_METRICS, metricsReadFor } from '../../server/metrics/metrics.service.js';
import { forgetValueModels } from '../../server/metrics/value-model-params.js';
import { getSchema } from '../../server/schema.js';
import { getNamedType, isNonNullType, isObjectType, type GraphQLObjectType, type GraphQLOutputType } from 'graphql';
import { recompute, setExchangeRates, waitForJob } from './helpers.js';

/** Tenant A with generated customers (two years of orders in CNY and USD, interactions, lapsing customers). */
const CUSTOMERS = 300;
let s: TestServer;
let job: any;

const sql = <T = any>(text: string, params: unknown[] = []) => sqlEm(s.orm).execute<T[]>(text, params);

beforeAll(async () => {
  s = await startTestServer();
  await seedCustomers(sqlEm(s.orm), s.a.id, CUSTOMERS);
  await setExchangeRates(s, [{ currency: 'USD', rate: '7.10' }]);
  job = await recompute(s);
});
afterAll(async () => s?.close());

describe('recomputeMetrics over generated customers', () => {
  it('runs in the background to SUCCEEDED with progress 1 and a FITTED purchase model', async () => {
    expect(job).toMatchObject({ status: 'SUCCEEDED', progress: 1, totalCustomers: CUSTOMERS, processedCustomers: CUSTOMERS });
    const bgnbd = job.models.find((m: any) => m.kind === 'BGNBD');
    expect(bgnbd.status).toBe('FITTED');
    const res = await s.gql(`{ analytics { valueModel { status timeUnit currency asOf sampleSize logLikelihood bgnbd { r alpha a b } gammaGamma { p } } } }`);
    expect(res.data.analytics.valueModel).toMatchObject({ status: 'FITTED', timeUnit: 'DAYS', currency: 'CNY', gammaGamma: null });
    expect(res.data.analytics.valueModel.logLikelihood).toBeLessThan(0);
    for (const v of Object.values(res.data.analytics.valueModel.bgnbd)) expect(v).toBeGreaterThan(0);
  });

  it('writes metrics for every customer, with purchase figures for everyone with a counted order', async () => {
    const [{ buyers }] = await sql(
      `select count(distinct customer_id)::int as buyers from customer_order where tenant_id = ? and status not in ('CANCELLED', 'REFUNDED')`,
      [s.a.id],
    );
    const [row] = await sql(
      `select count(*)::int as all, count(*) filter (where purchase_days > 0)::int as buyers,
              count(*) filter (where purchase_days > 0 and p_alive is not null and predicted_clv is not null and rfm_code is not null)::int as scored
         from customer_metrics where tenant_id = ?`,
      [s.a.id],
    );
    expect(row).toEqual({ all: CUSTOMERS, buyers, scored: buyers });
    const page = await s.gql(`{ customers(first: 100) { nodes { metrics { frequency pAlive predictedClv { amount currency } churnRisk { level } } } } }`);
    const withOrders = page.data.customers.nodes.filter((n: any) => n.metrics.frequency > 0);
    expect(withOrders.length).toBeGreaterThan(50);
    for (const n of withOrders) {
      expect(n.metrics.pAlive).toBeGreaterThanOrEqual(0);
      expect(n.metrics.pAlive).toBeLessThanOrEqual(1);
      expect(n.metrics.predictedClv.currency).toBe('CNY');
      expect(['LOW', 'MEDIUM', 'HIGH', 'CHURNED']).toContain(n.metrics.churnRisk.level);
    }
  });

  it('answers analytics with consistent numbers', async () => {
    const res = await s.gql(`{
      customers { totalCount }
      analytics {
        pareto { share buyers curve { customerFraction revenueShare } }
        rfmDistribution { segment customers share }
        lifecycleDistribution { stage customers share }
        churnWatchlist(first: 15) { rank customerId customer { id name } valueAtRisk { amount } metrics { pAlive predictedClv { amount } } }
        d90: demandForecast(days: 90) { expectedOrders expectedRevenue { amount } byTier { tier customers expectedOrders expectedRevenue { amount } } }
        d365: demandForecast(days: 365) { expectedOrders }
        d0: demandForecast(days: 0) { expectedOrders }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const a = res.data.analytics;
    expect(a.pareto.share).toBeGreaterThan(0.2);
    expect(a.pareto.share).toBeLessThanOrEqual(1);
    const shares = a.pareto.curve.map((p: any) => p.revenueShare);
    expect(shares).toEqual([...shares].sort((x: number, y: number) => x - y));
    const sum = (list: any[]) => list.reduce((t, x) => t + x.customers, 0);
    expect(sum(a.rfmDistribution)).toBe(a.pareto.buyers);
    expect(sum(a.lifecycleDistribution)).toBe(res.data.customers.totalCount);
    expect(a.lifecycleDistribution.reduce((t: number, x: any) => t + x.share, 0)).toBeCloseTo(1, 10);

    const watch = a.churnWatchlist;
    expect(watch).toHaveLength(15);
    expect(watch.map((w: any) => w.rank)).toEqual([...Array(15).keys()].map((i) => i + 1));
    const risks = watch.map((w: any) => Number(w.valueAtRisk.amount));
    expect(risks).toEqual([...risks].sort((x, y) => y - x));
    for (const w of watch) {
      expect(w.customer.id).toBe(w.customerId);
      expect(Number(w.valueAtRisk.amount)).toBeCloseTo(Number(w.metrics.predictedClv.amount) * (1 - w.metrics.pAlive), 0);
    }

    expect(a.d90.expectedOrders).toBeGreaterThan(0);
    expect(a.d365.expectedOrders).toBeGreaterThan(a.d90.expectedOrders);
    expect(a.d0.expectedOrders).toBe(0);
    expect(a.d90.byTier.map((t: any) => t.tier)).toEqual(['KEY', 'GROWTH', 'STANDARD']);
    expect(a.d90.byTier.reduce((t: number, x: any) => t + x.expectedOrders, 0)).toBeCloseTo(a.d90.expectedOrders, 8);
    expect(a.d90.byTier.reduce((t: number, x: any) => t + Number(x.expectedRevenue.amount), 0)).toBeCloseTo(Number(a.d90.expectedRevenue.amount), 0);
    // KEY customers (top 20 % by value) bring more expected revenue than the bottom half.
    const [key, , standard] = a.d90.byTier;
    expect(Number(key.expectedRevenue.amount)).toBeGreaterThan(Number(standard.expectedRevenue.amount));
  });
});

describe('customers(filter: { metrics }, orderBy: metrics)', () => {
  const PAGE = `query($first: Int!, $after: String, $filter: CustomerFilter, $orderBy: [CustomerOrder!]) {
    customers(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id metrics { predictedClv { amount } pAlive churnRisk { level } valueTier lifecycleStage expectedPurchases(days: 30) } }
    }
  }`;

  it('keeps only HIGH churn risk customers worth at least 1000, best first', async () => {
    const filter = { metrics: { churnRisk: { in: ['HIGH'] }, predictedClv: { gte: '1000' } } };
    const res = await s.gql(PAGE, { first: 100, filter, orderBy: [{ field: 'PREDICTED_CLV', direction: 'DESC' }] });
    expect(res.errors).toBeUndefined();
    const [{ count }] = await sql(
      `select count(*)::int as count from customer_metrics where tenant_id = ? and churn_level = 'HIGH' and predicted_clv >= 1000`,
      [s.a.id],
    );
    expect(count).toBeGreaterThan(0);
    expect(res.data.customers.totalCount).toBe(count);
    const nodes = res.data.customers.nodes;
    expect(nodes).toHaveLength(count);
    for (const n of nodes) {
      expect(n.metrics.churnRisk.level).toBe('HIGH');
      expect(Number(n.metrics.predictedClv.amount)).toBeGreaterThanOrEqual(1000);
    }
    const values = nodes.map((n: any) => Number(n.metrics.predictedClv.amount));
    expect(values).toEqual([...values].sort((x, y) => y - x));
  });

  it('pages through PREDICTED_CLV order with keyset cursors, prospects last, no row twice', async () => {
    const seen: string[] = [];
    const values: number[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await s.gql(PAGE, { first: 70, after, orderBy: [{ field: 'PREDICTED_CLV', direction: 'DESC' }] });
      expect(res.errors).toBeUndefined();
      for (const n of res.data.customers.nodes) {
        seen.push(n.id);
        values.push(n.metrics.predictedClv ? Number(n.metrics.predictedClv.amount) : -1);
      }
      if (!res.data.customers.pageInfo.hasNextPage) break;
      after = res.data.customers.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(CUSTOMERS);
    expect(values).toEqual([...values].sort((x, y) => y - x));
    expect(values.at(-1)).toBe(-1); // the prospects
  });

  /** Every id of a list, walked in pages of 23 forward (first/after) or backward (last/before). */
  const walk = async (direction: 'ASC' | 'DESC', filter: object | null, backward: boolean) => {
    const q = `query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilter, $orderBy: [CustomerOrder!]) {
      customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id } } }`;
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = backward ? { last: 23, before: cursor } : { first: 23, after: cursor };
      const res: any = await s.gql(q, { ...page, filter, orderBy: [{ field: 'PREDICTED_CLV', direction }] });
      expect(res.errors).toBeUndefined();
      const { nodes, pageInfo } = res.data.customers;
      pages.push(nodes.map((n: any) => n.id));
      if (!(backward ? pageInfo.hasPreviousPage : pageInfo.hasNextPage)) break;
      cursor = backward ? pageInfo.startCursor : pageInfo.endCursor;
    }
    return (backward ? pages.reverse() : pages).flat();
  };

  it('walks PREDICTED_CLV both ways, ascending and descending, prospects (no CLV) lowest, with and without a metrics filter', async () => {
    const stages = ['PROSPECT', 'NEW', 'DECLINING'];
    for (const filter of [null, { metrics: { lifecycleStage: { in: stages } } }]) {
      const rows = await sql<{ id: string; clv: string | null }>(
        `select c.id, cm.predicted_clv as clv from customer c left join customer_metrics cm on cm.tenant_id = c.tenant_id and cm.customer_id = c.id
          where c.tenant_id = ? and c.archived_at is null ${filter ? `and cm.lifecycle_stage in ('PROSPECT', 'NEW', 'DECLINING')` : ''}`,
        [s.a.id],
      );
      // NULL lowest; ties by id in the direction of the sort.
      const asc = [...rows]
        .sort((x, y) => (x.clv === null ? -1 : Number(x.clv)) - (y.clv === null ? -1 : Number(y.clv)) || (x.id < y.id ? -1 : 1))
        .map((r) => r.id);
      expect(rows.some((r) => r.clv === null) && rows.some((r) => r.clv !== null)).toBe(true);
      expect(await walk('ASC', filter, false)).toEqual(asc);
      expect(await walk('ASC', filter, true)).toEqual(asc);
      expect(await walk('DESC', filter, false)).toEqual([...asc].reverse());
      expect(await walk('DESC', filter, true)).toEqual([...asc].reverse());
    }
  });

  it('matches metrics conditions the same way at the top level and nested under or / not', async () => {
    const count = async (f: object) => {
      const res = await s.gql(`query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f });
      expect(res.errors).toBeUndefined();
      return res.data.customers.totalCount as number;
    };
    const high = { metrics: { churnRisk: { eq: 'HIGH' } } };
    const [{ n }] = await sql(`select count(*)::int as n from customer_metrics where tenant_id = ? and churn_level = 'HIGH'`, [s.a.id]);
    expect(n).toBeGreaterThan(0);
    expect(await count(high)).toBe(n);
    expect(await count({ or: [high, high] })).toBe(n);
    expect(await count({ not: high })).toBe(CUSTOMERS - n);
    expect(await count({ metrics: {} })).toBe(CUSTOMERS);
  });

  it('filters by value tier, lifecycle stage, RFM segment, P(alive) and churn reason', async () => {
    const count = async (metrics: object) => {
      const res = await s.gql(`query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, { f: { metrics } });
      expect(res.errors).toBeUndefined();
      return res.data.customers.totalCount as number;
    };
    const db = async (where: string) => (await sql(`select count(*)::int as n from customer_metrics where tenant_id = ? and ${where}`, [s.a.id]))[0].n;
    expect(await count({ valueTier: { eq: 'KEY' } })).toBe(await db(`value_tier = 'KEY'`));
    expect(await count({ lifecycleStage: { in: ['CHURNED', 'DECLINING'] } })).toBe(await db(`lifecycle_stage in ('CHURNED', 'DECLINING')`));
    expect(await count({ rfmSegment: { eq: 'CHAMPIONS' } })).toBe(await db(`rfm_segment = 'CHAMPIONS'`));
    expect(await count({ pAlive: { lt: 0.5 } })).toBe(await db('p_alive < 0.5'));
    expect(await count({ churnReasons: ['LOW_P_ALIVE'] })).toBe(await db(`churn_reasons @> '[{"code":"LOW_P_ALIVE"}]'`));
    expect(await count({ valueTier: { eq: 'KEY' } })).toBeGreaterThan(0);
  });

  it('costs the same SQL statements for 50 customers with metrics as for 1 (auth, customers with their metrics)', async () => {
    const args = (first: number) => ({ first, filter: { metrics: { frequency: { gte: 1 } } }, orderBy: [{ field: 'P_ALIVE', direction: 'ASC' }] });
    const query = PAGE.replace('totalCount', '');
    const one = await s.gql(query, args(1));
    const fifty = await s.gql(query, args(50));
    expect(fifty.errors).toBeUndefined();
    expect(fifty.data.customers.nodes).toHaveLength(50);
    expect(one.extensions?.sqlStatements).toBe(2);
    expect(fifty.extensions?.sqlStatements).toBe(2);
  });
});

describe('metrics read only the columns a selection needs', () => {
  /** Every field of CustomerMetrics with all of its leaves, arguments filled in where required. */
  async function metricsSelections(): Promise<Map<string, string>> {
    const schema = await getSchema();
    const leaves = (type: GraphQLOutputType): string => {
      const named = getNamedType(type);
      if (!isObjectType(named)) return '';
      return `{ ${Object.values(named.getFields()).map((f) => `${f.name} ${leaves(f.type)}`).join(' ')} }`;
    };
    const metrics = schema.getType('CustomerMetrics') as GraphQLObjectType;
    const selections = new Map<string, string>();
    for (const field of Object.values(metrics.getFields())) {
      const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined).map((a) => `${a.name}: 90`);
      selections.set(field.name, `${field.name}${args.length ? `(${args.join(', ')})` : ''} ${leaves(field.type)}`);
    }
    // Another horizon than the stored one: computed from the model parameters.
    selections.set('clv24', 'clv24: predictedClv(months: 24) { amount currency }');
    for (const sub of ['level', 'score', 'reasons { code message evidence { name value } }']) {
      selections.set(`churnRisk.${sub.split(' ')[0]}`, `churnRisk { ${sub} }`);
    }
    return selections;
  }

  const page = async (selection: string) => {
    const res = await s.gql(`{ customers(first: 100) { nodes { id metrics { ${selection} } } } }`);
    expect(res.errors).toBeUndefined();
    return res.data.customers.nodes as { id: string; metrics: Record<string, unknown> | null }[];
  };

  it('gives every field, asked alone, the answer it has among all fields', async () => {
    const selections = await metricsSelections();
    expect(selections.size).toBeGreaterThan(25);
    const all = await page([...selections.values()].join(' '));
    expect(all.filter((n) => n.metrics?.clv24 !== null && n.metrics?.frequency).length).toBeGreaterThan(20);
    for (const [name, selection] of selections) {
      const alone = await page(selection);
      const key = name.split('.')[0];
      const expected = all.map((n) => ({
        id: n.id,
        value: name.includes('.') && n.metrics?.churnRisk
          ? { churnRisk: { [name.split('.')[1]]: (n.metrics.churnRisk as Record<string, unknown>)[name.split('.')[1]] } }
          : n.metrics && { [key]: n.metrics[key] },
      }));
      expect(alone.map((n) => ({ id: n.id, value: n.metrics })), name).toEqual(expected);
    }
  });

  it('leaves out what the selection does not read, and reads everything for a field it does not know', () => {
    const levelOnly = metricsReadFor(new Set(['churnRisk', 'churnRisk.level', 'valueTier']));
    expect(levelOnly.columns).not.toBe('all');
    expect([...(levelOnly.columns as Set<string>)].sort()).toEqual(
      ['bgnbdModelId', 'churnLevel', 'churnScore', 'currency', 'customerId', 'gammaGammaModelId', 'valueTier'],
    );
    const reasons = metricsReadFor(new Set(['churnRisk', 'churnRisk.reasons', 'churnRisk.reasons.code']));
    expect(reasons.columns).toContain('churnReasons');
    // The model ids, not the models: their parameters are held per process (ValueModels).
    expect(metricsReadFor(new Set(['predictedClv', 'predictedClv.amount'])).columns).toContain('bgnbdModelId');
    expect(metricsReadFor(new Set(['aFieldAddedLater']))).toBe(ALL_METRICS);
  });

  it('keeps a page with metrics at 2 statements whatever is selected (auth, customers with their metrics)', async () => {
    for (const selection of ['churnRisk { level }', 'churnRisk { level reasons { code } } predictedClv { amount }']) {
      const res = await s.gql(`{ customers(first: 50) { nodes { id metrics { ${selection} } } } }`);
      expect(res.errors).toBeUndefined();
      expect(res.extensions?.sqlStatements).toBe(2);
    }
  });

  it('reads the value models once per process for predictions at another horizon, in one statement for a page', async () => {
    const query = `{ customers(first: 50) { nodes { id metrics { predictedClv(months: 24) { amount } expectedPurchases(days: 30) } } } }`;
    forgetValueModels();
    const cold = await s.gql(query);
    expect(cold.errors).toBeUndefined();
    // auth, the page with its metrics, then the two models of every row together
    expect(cold.extensions?.sqlStatements).toBe(3);
    const computed = cold.data.customers.nodes.filter((n: any) => n.metrics?.predictedClv?.amount != null && n.metrics.expectedPurchases > 0);
    expect(computed.length).toBeGreaterThan(20);
    const warm = await s.gql(query);
    expect(warm.extensions?.sqlStatements).toBe(2);
    expect(warm.data).toEqual(cold.data);
  });

  it('reads metrics in the customers’ own statement (a page, one customer) with the answers of the batched read', async () => {
    const fields = [...(await metricsSelections()).values()].join(' ');
    // The value models held first (as after any earlier prediction at another horizon), so the counts below are the page's own.
    expect((await s.gql(`{ customers(first: 50) { nodes { metrics { clv24: predictedClv(months: 24) { amount } } } } }`)).errors).toBeUndefined();
    // The newest customer has no metrics yet: its LEFT JOIN finds none.
    const created = await s.gql('mutation { createCustomer(input: { name: "Not scored yet" }) { id } }');
    expect(created.errors).toBeUndefined();
    const listed = await s.gql(`{ customers(first: 80) { edges { node { id metrics { ${fields} } } } nodes { id } } }`);
    expect(listed.errors).toBeUndefined();
    expect(listed.extensions?.sqlStatements).toBe(2);
    const pageRows = listed.data.customers.edges.map((e: any) => e.node) as { id: string; metrics: unknown }[];
    expect(pageRows[0]).toEqual({ id: created.data.createCustomer.id, metrics: null });
    expect(pageRows.filter((n) => n.metrics !== null).length).toBeGreaterThan(50);
    // A segment's customers come without joins: their metrics go through the DataLoader (one batch).
    const segment = await s.gql(`mutation { createSegment(input: { name: "Everyone", kind: DYNAMIC, rule: { createdAt: { lte: "2100-01-01T00:00:00Z" } } }) { id } }`);
    expect(segment.errors).toBeUndefined();
    const members = await s.gql(`query($id: ID!) { segment(id: $id) { customers(first: 80) { nodes { id metrics { ${fields} } } } } }`, {
      id: segment.data.createSegment.id,
    });
    expect(members.errors).toBeUndefined();
    const batched = new Map((members.data.segment.customers.nodes as { id: string }[]).map((n) => [n.id, n]));
    expect(pageRows.filter((n) => batched.has(n.id)).length).toBe(80);
    expect(pageRows).toEqual(pageRows.map((n) => batched.get(n.id)));
    // customer(id) joins the metrics too: one statement for the customer and its metrics each.
    const one = await s.gql(`{ ${pageRows.slice(0, 5).map((n, i) => `c${i}: customer(id: "${n.id}") { id metrics { ${fields} } }`).join(' ')} }`);
    expect(one.errors).toBeUndefined();
    expect(one.extensions?.sqlStatements).toBe(1 + 5);
    expect(pageRows.slice(0, 5)).toEqual(pageRows.slice(0, 5).map((_, i) => one.data[`c${i}`]));
  });

  it('answers from the filter’s or sort’s own join of customer_metrics what the batched read answers', async () => {
    const fields = [...(await metricsSelections()).values()].join(' ');
    const segment = await s.gql(`mutation { createSegment(input: { name: "All, batched", kind: DYNAMIC, rule: { createdAt: { lte: "2100-01-01T00:00:00Z" } } }) { id } }`);
    expect(segment.errors).toBeUndefined();
    // Every customer's metrics through the DataLoader (a segment's customers come without joins).
    const batched = new Map<string, unknown>();
    for (let after: string | null = null, more = true; more; ) {
      const res: any = await s.gql(
        `query($id: ID!, $after: String) { segment(id: $id) { customers(first: 100, after: $after) { nodes { id metrics { ${fields} } } pageInfo { hasNextPage endCursor } } } }`,
        { id: segment.data.createSegment.id, after },
      );
      expect(res.errors).toBeUndefined();
      for (const n of res.data.segment.customers.nodes) batched.set(n.id, n);
      ({ hasNextPage: more, endCursor: after } = res.data.segment.customers.pageInfo);
    }
    const pages = [
      'filter: { metrics: { churnRisk: { eq: MEDIUM } } }', // inner join `cm`
      'orderBy: [{ field: PREDICTED_CLV, direction: DESC }]', // left join `cm`, customers without metrics last
      'filter: { metrics: { churnRisk: { eq: LOW } } }, orderBy: [{ field: HEALTH_SCORE, direction: ASC }]',
    ];
    for (const args of pages) {
      const page = await s.gql(`{ customers(first: 100, ${args}) { nodes { id metrics { ${fields} } } } }`);
      expect(page.errors).toBeUndefined();
      expect(page.extensions?.sqlStatements).toBe(2);
      const nodes = page.data.customers.nodes as { id: string; metrics: unknown }[];
      expect(nodes.length).toBeGreaterThan(5);
      expect(nodes.filter((n) => n.metrics !== null).length).toBeGreaterThan(5);
      expect(nodes).toEqual(nodes.map((n) => batched.get(n.id)));
    }
  });
});

describe('incremental re-scoring', () => {
  it('re-scores a customer right after recordOrder with the current model, without refitting', async () => {
    const [target] = await sql(
      `select customer_id, purchase_days, computed_at from customer_metrics where tenant_id = ? and purchase_days > 1 and recency_days > 2 order by customer_id limit 1`,
      [s.a.id],
    );
    const models = () => sql('select id, params, fitted_at from value_model where tenant_id = ? order by id', [s.a.id]);
    const modelsBefore = await models();
    const before = await s.gql(`{ analytics { valueModel { id bgnbd { r alpha a b } } } metricsJobs { id } }`);
    const recorded = await s.gql(
      `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { id customer { metrics { frequency recencyDays pAlive computedAt } } } }`,
      { input: { customerId: target.customer_id, total: '88.00' } },
    );
    expect(recorded.errors).toBeUndefined();
    const m = recorded.data.recordOrder.customer.metrics;
    expect(m.frequency).toBe(target.purchase_days + 1);
    expect(m.recencyDays).toBe(0);
    expect(m.pAlive).toBeGreaterThan(0.5); // just bought: alive
    expect(Date.parse(m.computedAt)).toBeGreaterThan(Date.parse(job.asOf));
    const after = await s.gql(`{ analytics { valueModel { id bgnbd { r alpha a b } } } metricsJobs { id } }`);
    expect(after.data).toEqual(before.data);
    expect(await models()).toEqual(modelsBefore);
  });

  it('re-scores within recordOrder’s 4 SQL statements: key check, the write, one read and one upsert', async () => {
    const [target] = await sql(
      `select customer_id, purchase_days, computed_at from customer_metrics where tenant_id = ? and churn_level is not null and recency_days > 2 order by customer_id desc limit 1`,
      [s.a.id],
    );
    const res = await s.gql(
      `mutation($input: RecordOrderInput!, $key: String) { recordOrder(input: $input, idempotencyKey: $key) { id total { amount } } }`,
      { input: { customerId: target.customer_id, total: '42.00' }, key: 'rescore-count' },
    );
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.sqlStatements).toBe(4);
    const [after] = await sql('select purchase_days, recency_days, computed_at from customer_metrics where tenant_id = ? and customer_id = ?', [s.a.id, target.customer_id]);
    expect(after.purchase_days).toBe(target.purchase_days + 1);
    expect(after.recency_days).toBe(0);
    expect(new Date(after.computed_at).getTime()).toBeGreaterThan(new Date(target.computed_at).getTime());
  });

  it('scores with the stored settings when the caller’s copy of the tenant is stale, at the cost of one read more', async () => {
    const [tenant] = await sql('select default_currency, time_zone, settings from tenant where id = ?', [s.a.id]);
    const [target] = await sql(
      `select m.customer_id from customer_metrics m join customer_order o on o.tenant_id = m.tenant_id and o.customer_id = m.customer_id
        where m.tenant_id = ? and o.currency = 'USD' and m.purchase_days > 1 order by m.customer_id limit 1`,
      [s.a.id],
    );
    const scored = async () => {
      const [row] = await sql(
        `select total_spend, p_alive, rfm_code, value_tier, lifecycle_stage, churn_level, churn_score, churn_reasons, health_score
           from customer_metrics where tenant_id = ? and customer_id = ?`,
        [s.a.id, target.customer_id],
      );
      return row;
    };
    const current = { defaultCurrency: tenant.default_currency, timeZone: tenant.time_zone, settings: tenant.settings };
    await rescoreCustomers(sqlEm(s.orm), s.a.id, [target.customer_id], new Date(), { tenant: current });
    const expected = await scored();
    // A copy from before the USD rate was set: the re-scoring notices and reads again with the stored settings.
    const stale = { ...current, settings: { ...current.settings, metrics: {} } };
    const { result, counter } = countSqlIn(() => rescoreCustomers(sqlEm(s.orm), s.a.id, [target.customer_id], new Date(), { tenant: stale }));
    expect(await result).toBe(1);
    expect(counter.count).toBe(3); // read, read again, upsert
    expect(await scored()).toEqual(expected);
  });

  it('writes the same metrics re-scoring customers one at a time (the one-customer statements) as together', async () => {
    // Customers with and without orders, with and without churn reasons.
    const picked = await sql<{ customer_id: string }>(
      `(select customer_id from customer_metrics where tenant_id = ? and churn_reasons <> '[]'::jsonb order by customer_id limit 4)
       union (select customer_id from customer_metrics where tenant_id = ? and purchase_days > 2 order by customer_id desc limit 4)
       union (select customer_id from customer_metrics where tenant_id = ? and coalesce(purchase_days, 0) = 0 order by customer_id limit 2)`,
      [s.a.id, s.a.id, s.a.id],
    );
    const ids = picked.map((r) => r.customer_id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    const stored = async () =>
      (await sql(`select * from customer_metrics where tenant_id = ? and customer_id = any(?::uuid[]) order by customer_id`, [s.a.id, `{${ids.join(',')}}`]))
        .map(({ computed_at: _at, ...row }) => row);
    const asOf = new Date();
    await rescoreCustomers(sqlEm(s.orm), s.a.id, ids, asOf);
    const together = await stored();
    expect(together).toHaveLength(ids.length);
    expect(together.some((r) => r.churn_reasons.length > 0) && together.some((r) => !r.purchase_days) && together.some((r) => r.purchase_days > 2)).toBe(true);
    // Nothing left for the one-customer path to agree with by doing nothing.
    await sql('delete from customer_metrics where tenant_id = ? and customer_id = any(?::uuid[])', [s.a.id, `{${ids.join(',')}}`]);
    for (const id of ids) await rescoreCustomers(sqlEm(s.orm), s.a.id, [id], asOf);
    expect(await stored()).toEqual(together);
  });

  it.runIf(onPostgres)('plans a customer’s re-scoring read and upsert once per connection (a generic plan), not per request', async () => {
    const [{ count }] = await sql('select count(*)::int as count from customer_metrics where tenant_id = ?', [s.a.id]);
    const ids = (await sql<{ customer_id: string }>('select customer_id from customer_metrics where tenant_id = ? order by customer_id limit 8', [s.a.id])).map((r) => r.customer_id);
    // One pooled connection: the statements' plan counters are that session's.
    const orm = await createOrm({ ...s.target, poolMax: 1 });
    try {
      const em = sqlEm(orm);
      for (const id of ids) await rescoreCustomers(em, s.a.id, [id]);
      const plans = await queryPrepared<{ statement: string; generic_plans: number; custom_plans: number }>(
        em,
        'select statement, generic_plans::int, custom_plans::int from pg_prepared_statements',
      );
      const read = plans.find((p) => p.statement.includes(`'customer', g.id`));
      const upsert = plans.find((p) => p.statement.trimStart().startsWith('insert into customer_metrics'));
      // PostgreSQL tries five custom plans before it weighs the generic one.
      expect(read).toMatchObject({ generic_plans: ids.length - 5 });
      expect(upsert).toMatchObject({ generic_plans: ids.length - 5 });
    } finally {
      await orm.close();
    }
    expect((await sql('select count(*)::int as count from customer_metrics where tenant_id = ?', [s.a.id]))[0].count).toBe(count);
  });

  it('re-scores every customer of an import in one go', async () => {
    const targets = await sql<{ customer_id: string; purchase_days: number }>(
      `select customer_id, purchase_days from customer_metrics where tenant_id = ? and recency_days > 2 order by customer_id desc limit 3`,
      [s.a.id],
    );
    const res = await s.gql(
      `mutation($input: [ImportOrderInput!]!) { importOrders(input: $input) { outcome order { customer { id metrics { frequency } } } } }`,
      { input: targets.map((t, i) => ({ externalId: `RESCORE-${i}`, customerId: t.customer_id, occurredAt: new Date().toISOString(), total: '10' })) },
    );
    expect(res.errors).toBeUndefined();
    res.data.importOrders.forEach((r: any, i: number) => {
      expect(r.outcome).toBe('CREATED');
      expect(r.order.customer.metrics.frequency).toBe(targets[i].purchase_days + 1);
    });
  });
});

describe('re-scoring concurrent write requests together', () => {
  const tenantRow = async () => {
    const [t] = await sql('select default_currency, time_zone, settings from tenant where id = ?', [s.a.id]);
    return { defaultCurrency: t.default_currency, timeZone: t.time_zone, settings: t.settings };
  };
  /** Three customers with orders (each test its own, by offset). */
  const buyers = async (offset: number) =>
    (await sql<{ customer_id: string }>(
      'select customer_id from customer_metrics where tenant_id = ? and order_count > 0 order by customer_id desc limit 3 offset ?',
      [s.a.id, offset],
    )).map((r) => r.customer_id);
  const stored = async (ids: string[]) =>
    sql<{ customer_id: string; order_count: number; recency_days: number; computed_at: string }>(
      'select customer_id, order_count, recency_days, computed_at from customer_metrics where tenant_id = ? and customer_id = any(?::uuid[]) order by customer_id',
      [s.a.id, `{${ids.join(',')}}`],
    );

  it('shows every concurrent order in its customer’s metrics, two orders of one customer included', async () => {
    const targets = await sql<{ customer_id: string; order_count: number }>(
      `select customer_id, order_count from customer_metrics where tenant_id = ? and recency_days > 2 and order_count > 0 order by customer_id limit 6 offset 10`,
      [s.a.id],
    );
    const orders = [...targets, targets[0]].map((t, i) => ({ customerId: t.customer_id, total: `${20 + i}.00` }));
    const answers = await Promise.all(orders.map((input) =>
      s.gql(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { id customer { id metrics { orderCount recencyDays } } } }`, { input })));
    for (const a of answers) expect(a.errors).toBeUndefined();
    // Each answer already shows its own order (the re-scoring ran after its write committed).
    answers.forEach((a, i) => expect(a.data.recordOrder.customer.metrics.orderCount).toBeGreaterThanOrEqual(targets[i % targets.length].order_count + 1));
    const after = await stored(targets.map((t) => t.customer_id));
    for (const t of targets) {
      const row = after.find((r) => r.customer_id === t.customer_id)!;
      expect(row).toMatchObject({ order_count: t.order_count + (t === targets[0] ? 2 : 1), recency_days: 0 });
    }
  });

  it('runs the requests that arrive during a re-scoring as ONE read and ONE upsert, counted in the oldest one’s request', async () => {
    const ids = await buyers(20);
    const before = await stored(ids);
    const tenant = await tenantRow();
    // a starts at once; b and c arrive while it runs and wait for it, then go together.
    const [a, b, c] = ids.map((id) => countSqlIn(() => rescoreCoalesced(sqlEm(s.orm), s.a.id, [id], { tenant })));
    await Promise.all([a.result, b.result, c.result]);
    expect([a.counter.count, b.counter.count, c.counter.count]).toEqual([2, 2, 0]);
    const after = await stored(ids);
    after.forEach((row, i) => expect(Date.parse(row.computed_at)).toBeGreaterThan(Date.parse(before[i].computed_at)));
  });

  it('re-scores each request of a failed batch on its own, so one failure fails only its own request', async () => {
    const ids = await buyers(30);
    const before = await stored(ids);
    const tenant = await tenantRow();
    // b leads the second batch with a tenant copy whose settings cannot be read.
    const broken = { ...tenant, settings: '{not json' };
    const a = rescoreCoalesced(sqlEm(s.orm), s.a.id, [ids[0]], { tenant });
    const b = rescoreCoalesced(sqlEm(s.orm), s.a.id, [ids[1]], { tenant: broken });
    const c = rescoreCoalesced(sqlEm(s.orm), s.a.id, [ids[2]], { tenant });
    const outcomes = await Promise.allSettled([a, b, c]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const after = await stored(ids);
    expect(Date.parse(after[0].computed_at)).toBeGreaterThan(Date.parse(before[0].computed_at));
    expect(after[1].computed_at).toEqual(before[1].computed_at);
    expect(Date.parse(after[2].computed_at)).toBeGreaterThan(Date.parse(before[2].computed_at));
  });
});

describe('merging customers', () => {
  it('re-scores the survivor with both histories and drops the duplicate’s metrics', async () => {
    const [a, b] = await sql<{ customer_id: string; order_count: number }>(
      `select customer_id, order_count from customer_metrics where tenant_id = ? and order_count > 0 order by customer_id limit 2`,
      [s.a.id],
    );
    const res = await s.gql(`mutation($s: ID!, $d: [ID!]!) { mergeCustomers(survivorId: $s, duplicateIds: $d) { survivor { id } } }`, {
      s: a.customer_id, d: [b.customer_id],
    });
    expect(res.errors).toBeUndefined();
    const after = await s.gql(`query($a: ID!, $b: ID!) { a: customer(id: $a) { metrics { orderCount } } b: customer(id: $b) { metrics { orderCount } } }`, {
      a: a.customer_id, b: b.customer_id,
    });
    expect(after.data.a.metrics.orderCount).toBe(a.order_count + b.order_count);
    expect(after.data.b.metrics).toBeNull();
  });
});

describe('jobs and tenancy', () => {
  it('refuses a second recompute while one is queued or running, with that job’s id', async () => {
    // A job queued by another process (the CLI, say) that has not started yet.
    const queued = await createJob(sqlEm(s.orm), s.a.id, new Date(), MetricsJobTrigger.CLI, 'test');
    const second = await s.gql(`mutation { recomputeMetrics { id } }`);
    const error = onlyError(second);
    expect(error.extensions.code).toBe('CONFLICT');
    expect(error.extensions.jobId).toBe(queued.id);
    await runJob(sqlEm(s.orm), s.a.id, queued.id);
    const done = await waitForJob(s, queued.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    // Free again: the next request is accepted and starts QUEUED at progress 0.
    const next = await s.gql(`mutation { recomputeMetrics { id status progress } }`);
    expect(next.data.recomputeMetrics).toMatchObject({ status: 'QUEUED', progress: 0 });
    expect((await waitForJob(s, next.data.recomputeMetrics.id)).status).toBe('SUCCEEDED');
  });

  it('lets only ADMIN keys recompute or change settings', async () => {
    for (const role of ['AGENT', 'ANALYST', 'READ_ONLY'] as const) {
      const res = await s.gql('mutation { recomputeMetrics { id } }', {}, s.a.keys[role]);
      expect(onlyError(res).extensions.code).toBe('FORBIDDEN');
    }
    const settings = await s.gql('mutation { updateMetricsSettings(input: { clvMonths: 6 }) { clvMonths } }', {}, s.a.keys.AGENT);
    expect(onlyError(settings).extensions.code).toBe('FORBIDDEN');
    const read = await s.gql('{ metricsSettings { clvMonths annualDiscountRate exchangeRates { currency rate } } }', {}, s.a.keys.READ_ONLY);
    expect(read.data.metricsSettings).toEqual({ clvMonths: 12, annualDiscountRate: 0.1, exchangeRates: [{ currency: 'USD', rate: '7.10' }] });
  });

  it('never shows tenant A’s metrics, models or jobs to tenant B', async () => {
    const b = s.b.keys.ADMIN;
    const job = await s.gql(`query($id: ID!) { metricsJob(id: $id) { id } }`, { id: (await sql('select id from metrics_job where tenant_id = ? limit 1', [s.a.id]))[0].id }, b);
    expect(onlyError(job).extensions.code).toBe('NOT_FOUND');
    const res = await s.gql(`{
      metricsJobs { id }
      customers(filter: { metrics: { frequency: { gte: 0 } } }) { totalCount }
      analytics { valueModel { id } pareto { share } churnWatchlist { customerId } rfmDistribution { customers } lifecycleDistribution { customers } }
    }`, {}, b);
    expect(res.errors).toBeUndefined();
    expect(res.data.metricsJobs).toEqual([]);
    expect(res.data.customers.totalCount).toBe(0);
    expect(res.data.analytics.valueModel).toBeNull();
    expect(res.data.analytics.pareto).toBeNull();
    expect(res.data.analytics.churnWatchlist).toEqual([]);
    expect(res.data.analytics.rfmDistribution.every((r: any) => r.customers === 0)).toBe(true);
  });
});
