import type { Config } from '../../config.js';
import { Role } from '../../auth/api-key.entity.js';
import { createApiKey } from '../../auth/keys.service.js';
import { createTenant } from '../../tenants/tenant.service.js';
import type { Em, Orm } from '../orm.js';
import { generateCustomers } from './generate.js';

const BATCH_ROWS = 500;

/** Multi-row INSERTs in batches: a few hundred statements for thousands of rows. */
export async function insertRows(em: Em, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]);
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    const batch = rows.slice(i, i + BATCH_ROWS);
    const values = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await em.execute(`insert into ${table} (${columns.join(', ')}) values ${values}`, batch.flatMap((row) => columns.map((c) => row[c] ?? null)));
  }
}

/** Adds `count` generated customers with their orders, interactions and contacts to a tenant. */
export async function seedCustomers(em: Em, tenantId: string, count: number, now = new Date(), onProgress?: (done: number) => void): Promise<void> {
  const [{ existing }] = await em.execute<{ existing: number }[]>('select count(*)::int as existing from customer where tenant_id = ?', [tenantId]);
  const chunk = 1000;
  for (let done = 0; done < count; done += chunk) {
    const rows = generateCustomers(tenantId, Math.min(chunk, count - done), now, 42, Number(existing) + done);
    await em.transactional(async (tx) => {
      await insertRows(tx as Em, 'customer', rows.customers);
      await insertRows(tx as Em, 'contact', rows.contacts);
      await insertRows(tx as Em, 'customer_order', rows.orders);
      await insertRows(tx as Em, 'interaction', rows.interactions);
    });
    onProgress?.(Math.min(count, done + chunk));
  }
}

/** Steps other features add to the end of the first demo start (e.g. a metrics recompute). */
export const afterDemoSeed: ((em: Em, orm: Orm, tenantId: string, say: (msg: string) => void) => Promise<void>)[] = [];

export const DEMO_SLUG = 'demo';

/** On the first start of an empty database: a demo tenant with customers and an ADMIN key. */
export async function seedDemoIfEmpty(
  em: Em,
  orm: Orm,
  config: Config,
  say: (msg: string) => void,
): Promise<{ slug: string; adminKey: string; customers: number } | null> {
  const [{ tenants }] = await em.execute<{ tenants: number }[]>('select count(*)::int as tenants from tenant');
  if (Number(tenants) > 0) return null;
  say(`First start: seeding a demo tenant with ${config.demoCustomers} customers…`);
  const tenant = await createTenant(em, { slug: DEMO_SLUG, name: 'Demo Trading Co. 演示贸易', defaultCurrency: 'CNY', defaultCountry: 'CN', timeZone: 'Asia/Shanghai', locale: 'zh-CN' });
  const { key } = await createApiKey(em, tenant.id, Role.ADMIN, 'demo admin');
  await seedCustomers(em, tenant.id, config.demoCustomers);
  for (const step of afterDemoSeed) await step(em, orm, tenant.id, say);
  return { slug: DEMO_SLUG, adminKey: key, customers: config.demoCustomers };
}
