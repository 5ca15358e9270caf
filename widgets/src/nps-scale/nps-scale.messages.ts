import type { Locale } from '../shared/i18n.js';

export type NpsMessage = 'group' | 'low' | 'high' | 'required';

export const npsMessages: Record<Locale, Record<NpsMessage, string>> = {
  en: {
    group: 'How likely are you to recommend us? (0 to 10)',
    low: 'Not at all likely',
    high: 'Extremely likely',
    required: 'Please choose a score from 0 to 10.',
  },
  'zh-CN': {
    group: '您向他人推荐我们的可能性有多大？（0 到 10）',
    low: '完全不可能',
    high: '极有可能',
    required: '请选择 0 到 10 之间的分数。',
  },
};
