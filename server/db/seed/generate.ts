import { newId } from '../ids.js';

/** Deterministic pseudo-random numbers (mulberry32), so a seed of N customers is the same every time. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES_ZH = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林'];
const GIVEN_ZH = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英'];
const FIRST_EN = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'James', 'Sophia', 'Lucas', 'Mia', 'Ethan', 'Grace', 'Henry', 'Chloe', 'Jack', 'Ella', 'Leo'];
const LAST_EN = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Evans', 'Thomas', 'Clarke', 'Walker', 'Wright', 'Hughes', 'Green', 'Hall'];
const ORG_ZH = ['华信科技有限公司', '东方贸易集团', '瑞丰食品有限公司', '恒通物流', '金桥电子', '新源医药', '远航旅游', '明德教育'];
const ORG_EN = ['Northwind Traders', 'Acme Logistics', 'Bluebird Foods', 'Summit Health', 'Harbor Electronics', 'Maple Learning', 'Atlas Travel', 'Cobalt Systems'];
const CITIES_CN = [['Shanghai', 'East'], ['Beijing', 'North'], ['Shenzhen', 'South'], ['Hangzhou', 'East'], ['Chengdu', 'West'], ['Guangzhou', 'South']];
const CITIES_EN = [['London', 'GB'], ['New York', 'US'], ['Sydney', 'AU'], ['Toronto', 'CA'], ['Singapore', 'SG'], ['San Francisco', 'US']];
const INDUSTRIES = ['Retail', 'Manufacturing', 'Healthcare', 'Education', 'Logistics', 'Software', 'Food & Beverage', 'Travel'];
const CATEGORIES = [['Audio', 'SKU-AUD'], ['Books', 'SKU-BK'], ['Home', 'SKU-HM'], ['Apparel', 'SKU-AP'], ['Services', 'SKU-SV']];
const CHANNELS = ['WEB', 'MOBILE_APP', 'IN_PERSON', 'PHONE', 'WECHAT', 'PARTNER'];
const INTERACTION_TYPES = ['CALL', 'EMAIL', 'MEETING', 'VISIT', 'CHAT', 'MESSAGE', 'NOTE'];
const INTERACTION_CHANNEL: Record<string, string> = { CALL: 'PHONE', EMAIL: 'EMAIL', MEETING: 'IN_PERSON', VISIT: 'IN_PERSON', CHAT: 'CHAT', MESSAGE: 'WECHAT', NOTE: 'OTHER' };
const OWNERS = ['Li Na', 'Zhang Wei', 'Olivia Chen', 'Marcus Lee', 'Sara Wang'];
const DAY = 86_400_000;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];

/** Gamma(shape, 1) by Marsaglia–Tsang: spreads purchase rates the way real customers differ. */
function gamma(r: () => number, shape: number): number {
  if (shape < 1) return gamma(r, shape + 1) * Math.pow(r(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = r() || 1e-12;
      const u2 = r();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export interface SeedRows {
  customers: Record<string, unknown>[];
  contacts: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  interactions: Record<string, unknown>[];
}

/**
 * Customers with two years of history ending at `now`: persons and organizations, Chinese and
 * English names, purchase rates drawn from a gamma distribution, and about a quarter who stop
 * buying part-way (the lapsing customers churn warnings should find).
 */
export function generateCustomers(tenantId: string, count: number, now: Date, seed = 42, offset = 0): SeedRows {
  const r = rng(seed + offset * 7919);
  const rows: SeedRows = { customers: [], contacts: [], orders: [], interactions: [] };
  const end = now.getTime();
  const start = end - 730 * DAY;
  for (let i = 0; i < count; i++) {
    const n = offset + i + 1;
    const chinese = r() < 0.6;
    const org = r() < 0.3;
    const id = newId();
    const [city, regionOrCountry] = chinese ? pick(r, CITIES_CN) : pick(r, CITIES_EN);
    const country = chinese ? 'CN' : regionOrCountry;
    const name = org
      ? chinese ? `${pick(r, ORG_ZH).replace('有限公司', '')}${n}有限公司` : `${pick(r, ORG_EN)} ${n}`
      : chinese ? `${pick(r, SURNAMES_ZH)}${pick(r, GIVEN_ZH)}` : `${pick(r, FIRST_EN)} ${pick(r, LAST_EN)}`;
    const acquired = start + Math.floor(r() * 640 * DAY);
    const phone = chinese ? `+861${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, '0')}` : null;
    rows.customers.push({
      tenant_id: tenantId,
      id,
      external_id: `DEMO-${String(n).padStart(7, '0')}`,
      kind: org ? 'ORGANIZATION' : 'PERSON',
      name,
      email: `customer${n}@example.${chinese ? 'cn' : 'com'}`,
      phone,
      company: org ? name : null,
      industry: org ? pick(r, INDUSTRIES) : null,
      city,
      region: chinese ? regionOrCountry : null,
      country,
      acquisition_channel: pick(r, CHANNELS),
      owner: pick(r, OWNERS),
      tags: JSON.stringify(r() < 0.2 ? ['newsletter'] : []),
      marketing_consent: r() < 0.6,
      created_at: new Date(acquired),
      updated_at: new Date(acquired),
    });
    if (org) {
      rows.contacts.push({
        tenant_id: tenantId, id: newId(), customer_id: id, name: chinese ? `${pick(r, SURNAMES_ZH)}${pick(r, GIVEN_ZH)}` : `${pick(r, FIRST_EN)} ${pick(r, LAST_EN)}`,
        title: 'Purchasing Manager', email: `buyer${n}@example.com`, is_primary: true, created_at: new Date(acquired), updated_at: new Date(acquired),
      });
    }
    // Orders: a Poisson process at a customer-specific rate, stopping early for lapsing customers.
    const ratePerDay = gamma(r, 0.9) / (org ? 20 : 45);
    const lapses = r() < 0.25;
    const stop = lapses ? acquired + (end - acquired) * (0.2 + 0.5 * r()) : end;
    const spend = (org ? 400 : 60) * (0.4 + gamma(r, 2));
    let t = acquired;
    let orders = 0;
    while (t < stop && orders < 200) {
      const qty = 1 + Math.floor(r() * 3);
      const [category, skuPrefix] = pick(r, CATEGORIES);
      const unit = Math.max(1, spend * (0.6 + 0.8 * r()) / qty).toFixed(2);
      rows.orders.push({
        tenant_id: tenantId, id: newId(), customer_id: id, external_id: `DEMO-O-${n}-${orders + 1}`,
        occurred_at: new Date(t), total_amount: (Number(unit) * qty).toFixed(2), currency: chinese ? 'CNY' : 'USD',
        status: r() < 0.03 ? 'REFUNDED' : 'PAID', channel: pick(r, CHANNELS),
        line_items: JSON.stringify([{ sku: `${skuPrefix}-${100 + Math.floor(r() * 50)}`, name: null, category, quantity: qty, unitPrice: unit }]),
        created_at: new Date(t),
      });
      orders++;
      t += Math.max(DAY, (-Math.log(1 - r()) / ratePerDay) * DAY);
    }
    // Interactions follow a similar cadence, thinning out for lapsing customers.
    let s = acquired;
    let touches = 0;
    while (s < end && touches < 60) {
      const type = pick(r, INTERACTION_TYPES);
      if (!(lapses && s > stop && r() < 0.8)) {
        rows.interactions.push({
          tenant_id: tenantId, id: newId(), customer_id: id, type, channel: INTERACTION_CHANNEL[type],
          direction: r() < 0.5 ? 'INBOUND' : 'OUTBOUND', subject: chinese ? '客户回访' : 'Account check-in', body: null,
          occurred_at: new Date(s), duration_seconds: type === 'CALL' ? 60 + Math.floor(r() * 900) : null,
          outcome: null, agent: pick(r, OWNERS), created_at: new Date(s),
        });
        touches++;
      }
      s += Math.max(DAY, (-Math.log(1 - r()) * (org ? 30 : 75)) * DAY);
    }
  }
  return rows;
}
