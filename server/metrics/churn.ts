/**
 * Churn early warning: the reasons that raise a customer's churn risk, and how they combine
 * into a 0–100 score and a level. Pure: no database import.
 *
 * Every reason carries a weight in (0, 1], read as "how strongly this alone says the customer
 * is leaving". Reasons combine like independent warnings (noisy-or):
 *   score = round(100 × (1 − Π (1 − weightᵢ)))
 * Level: CHURNED when the lifecycle stage is CHURNED; otherwise HIGH from `highRiskScore`
 * (default 60), MEDIUM from `mediumRiskScore` (default 30), else LOW.
 *
 * Reason codes form an open set: a feature adds its own with `registerChurnReasonCode` (and a
 * provider in churn-providers.ts) before the schema is built; the GraphQL enum ChurnReasonCode
 * lists whatever is registered.
 */
import { countFell, overdueRatio, purchasesFalling, spendFalling, trend, type CustomerHistory, type LifecycleStage } from './lifecycle.js';
import type { MetricsSettings } from './settings.js';

export type ChurnRiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CHURNED';

export interface ChurnEvidence {
  name: string;
  value: number;
}

export interface ChurnReason {
  code: string;
  /** One plain sentence for a person. */
  message: string;
  evidence: ChurnEvidence[];
  /** Strength of this warning alone, 0–1. */
  weight: number;
}

/** Registered reason codes (GraphQL enum values) and their descriptions. */
export const ChurnReasonCode: Record<string, string> = {};
export const churnReasonDescriptions: Record<string, { description: string }> = {};

export function registerChurnReasonCode(code: string, description: string): void {
  if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`churn reason code must be SCREAMING_SNAKE: ${code}`);
  ChurnReasonCode[code] = code;
  churnReasonDescriptions[code] = { description };
}

registerChurnReasonCode('LOW_P_ALIVE', 'The purchase model gives a low probability that the customer is still active.');
registerChurnReasonCode('PURCHASES_OVERDUE', 'The customer is well past their usual time between purchases.');
registerChurnReasonCode('PURCHASE_FREQUENCY_FALLING', 'The customer buys less often than their own baseline.');
registerChurnReasonCode('SPEND_FALLING', 'The customer spends less than their own baseline.');
registerChurnReasonCode('INTERACTIONS_FALLING', 'The customer is in touch less often than their own baseline.');

const pct = (v: number) => `${Math.round(v * 100)}%`;
const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** LOW_P_ALIVE, PURCHASES_OVERDUE, PURCHASE_FREQUENCY_FALLING and SPEND_FALLING from the purchase history. */
export function purchaseHistoryReasons(h: CustomerHistory, s: MetricsSettings): ChurnReason[] {
  if (h.purchaseDays === 0) return [];
  const reasons: ChurnReason[] = [];
  if (h.pAlive !== null && h.pAlive < s.lowPAlive) {
    reasons.push({
      code: 'LOW_P_ALIVE',
      message: `The chance that this customer is still active is ${pct(h.pAlive)}, below the ${pct(s.lowPAlive)} threshold.`,
      evidence: [{ name: 'pAlive', value: round(h.pAlive) }, { name: 'threshold', value: s.lowPAlive }],
      weight: 0.3 + (0.7 * (s.lowPAlive - h.pAlive)) / s.lowPAlive,
    });
  }
  const overdue = overdueRatio(h);
  if (overdue !== null && overdue > s.overdueFactor) {
    reasons.push({
      code: 'PURCHASES_OVERDUE',
      message: `No purchase for ${h.recencyDays} days, ${overdue.toFixed(1)} times the usual ${Math.round(h.purchaseCycleDays!)} days between purchases.`,
      evidence: [
        { name: 'recencyDays', value: h.recencyDays },
        { name: 'purchaseCycleDays', value: round(h.purchaseCycleDays!, 2) },
        { name: 'overdueFactor', value: s.overdueFactor },
      ],
      weight: Math.min(0.7, 0.3 + 0.1 * (overdue - s.overdueFactor)),
    });
  }
  const windows = `the last ${s.recentWindowDays} days against the ${s.baselineWindowDays} days before`;
  const purchases = purchasesFalling(h, s);
  if (purchases) {
    reasons.push({
      code: 'PURCHASE_FREQUENCY_FALLING',
      message: `Purchase frequency fell ${pct(-purchases.change)} in ${windows} (${h.recentPurchases} purchase days where ${purchases.expectedRecent.toFixed(1)} were usual).`,
      evidence: [
        { name: 'recentPurchases', value: h.recentPurchases },
        { name: 'expectedPurchases', value: round(purchases.expectedRecent, 2) },
        { name: 'baselinePurchases', value: h.baselinePurchases },
        { name: 'change', value: round(purchases.change) },
      ],
      weight: 0.25 + 0.35 * Math.min(1, -purchases.change),
    });
  }
  const spend = spendFalling(h, s);
  if (spend) {
    reasons.push({
      code: 'SPEND_FALLING',
      message: `Spend fell ${pct(-spend.change)} in ${windows}.`,
      evidence: [
        { name: 'recentSpend', value: round(h.recentSpend, 2) },
        { name: 'expectedSpend', value: round(spend.expectedRecent, 2) },
        { name: 'baselineSpend', value: round(h.baselineSpend, 2) },
        { name: 'change', value: round(spend.change) },
      ],
      weight: 0.2 + 0.3 * Math.min(1, -spend.change),
    });
  }
  return reasons;
}

/** INTERACTIONS_FALLING from interaction counts in the recent and baseline windows. */
export function interactionReasons(
  h: CustomerHistory,
  counts: { recent: number; baseline: number } | undefined,
  s: MetricsSettings,
): ChurnReason[] {
  if (!counts || h.purchaseDays === 0) return [];
  const t = trend(counts.recent, counts.baseline, h, s, s.minBaselineInteractions);
  if (!countFell(counts.recent, t, s)) return [];
  return [{
    code: 'INTERACTIONS_FALLING',
    message: `Interactions fell ${pct(-t!.change)} in the last ${s.recentWindowDays} days against the ${s.baselineWindowDays} days before (${counts.recent} where ${t!.expectedRecent.toFixed(1)} were usual).`,
    evidence: [
      { name: 'recentInteractions', value: counts.recent },
      { name: 'expectedInteractions', value: round(t!.expectedRecent, 2) },
      { name: 'baselineInteractions', value: counts.baseline },
      { name: 'change', value: round(t!.change) },
    ],
    weight: 0.15 + 0.25 * Math.min(1, -t!.change),
  }];
}

/** Score (0–100) and level from the reasons; strongest reasons first. */
export function combineChurnReasons(
  reasons: ChurnReason[],
  stage: LifecycleStage,
  s: MetricsSettings,
): { level: ChurnRiskLevel; score: number; reasons: ChurnReason[] } {
  let keep = 1;
  for (const r of reasons) keep *= 1 - Math.min(1, Math.max(0, r.weight));
  const score = Math.round(100 * (1 - keep));
  const level: ChurnRiskLevel =
    stage === 'CHURNED' ? 'CHURNED' : score >= s.highRiskScore ? 'HIGH' : score >= s.mediumRiskScore ? 'MEDIUM' : 'LOW';
  const sorted = [...reasons].sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code));
  return { level, score, reasons: sorted };
}

/**
 * Health 0–100: half "not leaving" (100 − churn score), half RFM standing ((R + F + M − 3) / 12);
 * without RFM scores, the churn half alone. CHURNED customers are capped at 10.
 */
export function healthScore(churnScore: number, rfm: { r: number; f: number; m: number } | null, stage: LifecycleStage): number {
  const churnPart = 100 - churnScore;
  const health = rfm ? 0.5 * churnPart + 0.5 * (((rfm.r + rfm.f + rfm.m - 3) / 12) * 100) : churnPart;
  return Math.round(stage === 'CHURNED' ? Math.min(10, health) : health);
}
