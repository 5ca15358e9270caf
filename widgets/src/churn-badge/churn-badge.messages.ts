import type { Locale } from '../shared/i18n.js';

export type ChurnLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CHURNED';
export const CHURN_LEVELS: readonly ChurnLevel[] = ['LOW', 'MEDIUM', 'HIGH', 'CHURNED'];

const en = {
  LOW: 'Low churn risk',
  MEDIUM: 'Medium churn risk',
  HIGH: 'High churn risk',
  CHURNED: 'Churned',
  score: 'Churn score {score} of 100',
  reasons: 'Why:',
  loading: 'Loading churn risk…',
  error: 'Churn risk unavailable',
  expired: 'Session expired',
  unknown: 'Churn risk unknown',
};

type Key = keyof typeof en;

export const badgeMessages: Record<Locale, Record<Key, string>> = {
  en,
  'zh-CN': {
    LOW: '流失风险低',
    MEDIUM: '流失风险中',
    HIGH: '流失风险高',
    CHURNED: '已流失',
    score: '流失评分 {score}/100',
    reasons: '原因：',
    loading: '正在加载流失风险…',
    error: '无法获取流失风险',
    expired: '会话已过期',
    unknown: '流失风险未知',
  },
};

/**
 * The server's reason messages are English sentences; in Chinese the known codes get a translated
 * summary (the evidence numbers stay in the English original, which is not shown then).
 */
export const reasonMessagesZh: Record<string, string> = {
  LOW_P_ALIVE: '购买模型估计该客户仍然活跃的概率较低。',
  PURCHASES_OVERDUE: '距上次购买的时间已远超其通常的购买间隔。',
  PURCHASE_FREQUENCY_FALLING: '购买频率低于其自身的基线。',
  SPEND_FALLING: '消费金额低于其自身的基线。',
  INTERACTIONS_FALLING: '互动次数低于其自身的基线。',
};
