/**
 * The read requests of the load benchmark in each server's dialect, and a normaliser per dialect
 * that reduces an answer to the same plain shape, so bench/load.ts can check that every peer
 * returns the same rows and the same fields before it measures anything.
 *
 * Clientele and the raw peer share Clientele's GraphQL document (the raw peer routes on
 * operationName and builds the same JSON in SQL). PostGraphile gets the equivalent document over
 * its generated schema: `allCustomers` / `customerByTenantIdAndRowId` with the metrics row and the
 * interactions and orders through the composite foreign keys. Differences that cannot be avoided
 * are listed in DIFFERENCES and in bench/README.md.
 */

const CUSTOMER_ROW = `id name kind email phone company country owner tags createdAt
  metrics { lifecycleStage valueTier orderCount lastPurchaseAt pAlive healthScore
            historicValue { amount currency } predictedClv { amount currency } churnRisk { level score } }
  interactions(first: 3) { nodes { id type channel direction occurredAt subject agent } }`;

/** Clientele's documents (the raw peer answers the same bodies). */
export const CLIENTELE = {
  List: `query List { customers(first: 50) { nodes { ${CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  /** The list page at another size (SQL statements per request must not grow with it). */
  listOfSize: (n: number) => `query List { customers(first: ${n}) { nodes { ${CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  HighRisk: `query HighRisk {
    customers(first: 50, filter: { metrics: { churnRisk: { eq: HIGH } } }, orderBy: [{ field: PREDICTED_CLV, direction: DESC }]) {
      nodes { ${CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  Card: `query Card($id: ID!) { customer(id: $id) {
    id name kind email phone company title country city owner tags customAttributes marketingConsent createdAt version
    metrics { asOf lifecycleStage valueTier orderCount frequency recencyDays firstPurchaseAt lastPurchaseAt pAlive healthScore purchaseCycleDays
              historicValue { amount currency } predictedClv { amount currency } valueAtRisk { amount currency }
              rfm { code segment } churnRisk { level score reasons { code } } }
    interactions(first: 5) { nodes { id type channel direction occurredAt subject agent } }
    orders(first: 5) { nodes { id occurredAt status total { amount currency } } } } }`,
  RecordOrder: `mutation RecordOrder($key: String, $input: RecordOrderInput!) {
    recordOrder(idempotencyKey: $key, input: $input) { id status occurredAt total { amount currency } } }`,
  SubmitSurvey: `mutation SubmitSurvey($key: String!, $input: SubmitSurveyResponseInput!) {
    submitSurveyResponse(idempotencyKey: $key, input: $input) { id status score } }`,
};

const PG_METRICS_LIST = `customerMetricByTenantIdAndCustomerId { lifecycleStage valueTier orderCount lastOrderAt pAlive healthScore
      totalSpend predictedClv currency churnLevel churnScore }`;
const PG_INTERACTION = 'rowId type channel direction occurredAt subject agent';
const PG_CUSTOMER_ROW = `rowId name kind email phone company country owner tags createdAt
    ${PG_METRICS_LIST}
    interactionsByTenantIdAndCustomerId(first: 3, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) { nodes { ${PG_INTERACTION} } }`;

/** PostGraphile v5 (amber preset, no plugins): the same data through the generated schema. */
export const POSTGRAPHILE = {
  List: `query List($tenantId: UUID!) {
    allCustomers(first: 50, condition: { tenantId: $tenantId }, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
      nodes { ${PG_CUSTOMER_ROW} } pageInfo { hasNextPage endCursor } } }`,
  /**
   * Driven from customer_metrics: PostGraphile filters and sorts a table only on its own indexed
   * columns, so the HIGH filter and the CLV order need customer_metrics(tenant_id, churn_level,
   * predicted_clv desc, customer_id) (migration 0007) and start from that table.
   */
  HighRisk: `query HighRisk($tenantId: UUID!) {
    allCustomerMetrics(first: 50, condition: { tenantId: $tenantId, churnLevel: "HIGH" }, orderBy: [PREDICTED_CLV_DESC, CUSTOMER_ID_DESC]) {
      nodes { customerByTenantIdAndCustomerId { ${PG_CUSTOMER_ROW} } } pageInfo { hasNextPage endCursor } } }`,
  Card: `query Card($tenantId: UUID!, $id: UUID!) { customerByTenantIdAndRowId(tenantId: $tenantId, rowId: $id) {
    rowId name kind email phone company title country city owner tags customAttributes marketingConsent createdAt version
    customerMetricByTenantIdAndCustomerId { asOf lifecycleStage valueTier orderCount purchaseDays recencyDays firstOrderAt lastOrderAt pAlive
      healthScore purchaseCycleDays totalSpend predictedClv valueAtRisk currency rfmCode rfmSegment churnLevel churnScore churnReasons }
    interactionsByTenantIdAndCustomerId(first: 5, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) { nodes { ${PG_INTERACTION} } }
    customerOrdersByTenantIdAndCustomerId(first: 5, orderBy: [OCCURRED_AT_DESC, ROW_ID_DESC]) { nodes { rowId occurredAt status totalAmount currency } } } }`,
};

/** What the peers cannot return identically (also in bench/README.md). */
export const DIFFERENCES = [
  'PostGraphile has no API keys: it reads through a read-only role and the tenant is a query argument; Clientele and the raw peer check the key in every request (Clientele: one SQL statement; raw: inside its single statement).',
  'PostGraphile does not hide archived or merged customers (no condition on unindexed archived_at); the generated data have none, so the rows are the same.',
  'PostGraphile returns churnReasons as the stored JSON objects; Clientele and the raw peer select only the reason codes (the comparison keeps the codes).',
  'Field names, nesting and money differ (rowId vs id; totalSpend + currency vs historicValue { amount currency }); the comparison maps them to one shape.',
  'highRisk on PostGraphile starts from customer_metrics (it filters and sorts a table only on its own indexed columns).',
];

// ---------------------------------------------------------------------------------------------
// Normalisers: answers → one plain shape (ISO dates to the millisecond, decimals as numbers)

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const date = (v: Json) => (v == null ? null : new Date(v).toISOString());
const num = (v: Json) => (v == null ? null : Number(v));
const float = (v: Json) => (v == null ? null : Math.round(Number(v) * 1e9) / 1e9);

function interaction(i: Json) {
  return { id: i.id ?? i.rowId, type: i.type, channel: i.channel, direction: i.direction, occurredAt: date(i.occurredAt), subject: i.subject, agent: i.agent };
}

function listMetricsClientele(m: Json) {
  if (!m) return null;
  return {
    lifecycleStage: m.lifecycleStage, valueTier: m.valueTier, orderCount: m.orderCount, lastPurchaseAt: date(m.lastPurchaseAt),
    pAlive: float(m.pAlive), healthScore: m.healthScore, historicValue: num(m.historicValue?.amount), predictedClv: num(m.predictedClv?.amount),
    currency: m.historicValue?.currency ?? m.predictedClv?.currency ?? null, churnLevel: m.churnRisk?.level ?? null, churnScore: m.churnRisk?.score ?? null,
  };
}

function listMetricsPostGraphile(m: Json) {
  if (!m) return null;
  return {
    lifecycleStage: m.lifecycleStage, valueTier: m.valueTier, orderCount: m.orderCount, lastPurchaseAt: date(m.lastOrderAt),
    pAlive: float(m.pAlive), healthScore: m.healthScore, historicValue: num(m.totalSpend), predictedClv: num(m.predictedClv),
    currency: m.currency, churnLevel: m.churnLevel, churnScore: m.churnScore,
  };
}

function listNode(c: Json, dialect: 'clientele' | 'postgraphile') {
  const pg = dialect === 'postgraphile';
  return {
    id: pg ? c.rowId : c.id, name: c.name, kind: c.kind, email: c.email, phone: c.phone, company: c.company, country: c.country, owner: c.owner,
    tags: c.tags, createdAt: date(c.createdAt),
    metrics: pg ? listMetricsPostGraphile(c.customerMetricByTenantIdAndCustomerId) : listMetricsClientele(c.metrics),
    interactions: (pg ? c.interactionsByTenantIdAndCustomerId : c.interactions).nodes.map(interaction),
  };
}

/** A list answer (List, HighRisk) as { nodes, hasNextPage }. */
export function normaliseList(body: Json, dialect: 'clientele' | 'postgraphile') {
  if (dialect === 'postgraphile') {
    const conn = body.data.allCustomers ?? body.data.allCustomerMetrics;
    const nodes = body.data.allCustomers ? conn.nodes : conn.nodes.map((m: Json) => m.customerByTenantIdAndCustomerId);
    return { nodes: nodes.map((c: Json) => listNode(c, dialect)), hasNextPage: conn.pageInfo.hasNextPage };
  }
  const conn = body.data.customers;
  return { nodes: conn.nodes.map((c: Json) => listNode(c, dialect)), hasNextPage: conn.pageInfo.hasNextPage };
}

/** A card answer in one shape. */
export function normaliseCard(body: Json, dialect: 'clientele' | 'postgraphile') {
  const pg = dialect === 'postgraphile';
  const c = pg ? body.data.customerByTenantIdAndRowId : body.data.customer;
  if (!c) return null;
  const m = pg ? c.customerMetricByTenantIdAndCustomerId : c.metrics;
  const metrics = !m ? null : pg
    ? {
        asOf: date(m.asOf), lifecycleStage: m.lifecycleStage, valueTier: m.valueTier, orderCount: m.orderCount, frequency: m.purchaseDays,
        recencyDays: m.recencyDays, firstPurchaseAt: date(m.firstOrderAt), lastPurchaseAt: date(m.lastOrderAt), pAlive: float(m.pAlive),
        healthScore: m.healthScore, purchaseCycleDays: float(m.purchaseCycleDays), historicValue: num(m.totalSpend), predictedClv: num(m.predictedClv),
        valueAtRisk: num(m.valueAtRisk), currency: m.currency, rfm: m.rfmCode == null ? null : { code: m.rfmCode, segment: m.rfmSegment },
        churnLevel: m.churnLevel, churnScore: m.churnScore, churnReasons: m.churnLevel == null ? null : (m.churnReasons as Json[]).map((r) => r.code),
      }
    : {
        asOf: date(m.asOf), lifecycleStage: m.lifecycleStage, valueTier: m.valueTier, orderCount: m.orderCount, frequency: m.frequency,
        recencyDays: m.recencyDays, firstPurchaseAt: date(m.firstPurchaseAt), lastPurchaseAt: date(m.lastPurchaseAt), pAlive: float(m.pAlive),
        healthScore: m.healthScore, purchaseCycleDays: float(m.purchaseCycleDays), historicValue: num(m.historicValue?.amount),
        predictedClv: num(m.predictedClv?.amount), valueAtRisk: num(m.valueAtRisk?.amount), currency: m.historicValue?.currency ?? null,
        rfm: m.rfm ? { code: m.rfm.code, segment: m.rfm.segment } : null,
        churnLevel: m.churnRisk?.level ?? null, churnScore: m.churnRisk?.score ?? null, churnReasons: m.churnRisk ? m.churnRisk.reasons.map((r: Json) => r.code) : null,
      };
  const orders = (pg ? c.customerOrdersByTenantIdAndCustomerId : c.orders).nodes.map((o: Json) => ({
    id: pg ? o.rowId : o.id, occurredAt: date(o.occurredAt), status: o.status,
    total: num(pg ? o.totalAmount : o.total.amount), currency: pg ? o.currency : o.total.currency,
  }));
  return {
    id: pg ? c.rowId : c.id, name: c.name, kind: c.kind, email: c.email, phone: c.phone, company: c.company, title: c.title, country: c.country,
    city: c.city, owner: c.owner, tags: c.tags, customAttributes: c.customAttributes, marketingConsent: c.marketingConsent,
    createdAt: date(c.createdAt), version: c.version, metrics,
    interactions: (pg ? c.interactionsByTenantIdAndCustomerId : c.interactions).nodes.map(interaction), orders,
  };
}

/** The first path where two normalised answers differ, or null when they are equal. */
export function firstDifference(a: Json, b: Json, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path || '.'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  if (Array.isArray(a) && a.length !== b.length) return `${path}: ${a.length} items ≠ ${b.length}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}
