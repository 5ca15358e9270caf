import type { Locale } from '../shared/i18n.js';

export type FeedbackMessage =
  | 'loading'
  | 'loadError'
  | 'notFound'
  | 'retry'
  | 'required'
  | 'submit'
  | 'sending'
  | 'saved'
  | 'queued'
  | 'summary'
  | 'thanks'
  | 'thanksSent'
  | 'thanksQueued'
  | 'sendError'
  | 'errNps'
  | 'errRating'
  | 'errSingle'
  | 'errMulti'
  | 'errText';

export const feedbackMessages: Record<Locale, Record<FeedbackMessage, string>> = {
  en: {
    loading: 'Loading the survey…',
    loadError: 'We couldn’t load this survey.',
    notFound: 'This survey is not available.',
    retry: 'Try again',
    required: 'Required',
    submit: 'Send',
    sending: 'Sending…',
    saved: 'Your answers so far are saved.',
    queued: 'You seem to be offline. Your answers are saved on this device and will be sent automatically.',
    summary: 'Please answer the highlighted questions ({count}).',
    thanks: 'Thank you for your feedback!',
    thanksSent: 'Your answers have been sent.',
    thanksQueued: 'Your answers are saved on this device and will be sent as soon as the connection is back.',
    sendError: 'We couldn’t send your answers.',
    errNps: 'Please choose a score from 0 to 10.',
    errRating: 'Please choose a rating from 1 to {max}.',
    errSingle: 'Please choose an option.',
    errMulti: 'Please choose at least one option.',
    errText: 'Please write an answer.',
  },
  'zh-CN': {
    loading: '正在加载问卷…',
    loadError: '无法加载此问卷。',
    notFound: '此问卷目前不可用。',
    retry: '重试',
    required: '必填',
    submit: '提交',
    sending: '正在提交…',
    saved: '您已填写的回答已保存。',
    queued: '网络似乎已断开。您的回答已保存在此设备上，恢复连接后将自动提交。',
    summary: '请回答标出的问题（共 {count} 个）。',
    thanks: '感谢您的反馈！',
    thanksSent: '您的回答已提交。',
    thanksQueued: '您的回答已保存在此设备上，网络恢复后将自动提交。',
    sendError: '无法提交您的回答。',
    errNps: '请选择 0 到 10 之间的分数。',
    errRating: '请选择 1 到 {max} 之间的评分。',
    errSingle: '请选择一个选项。',
    errMulti: '请至少选择一个选项。',
    errText: '请填写您的回答。',
  },
};
