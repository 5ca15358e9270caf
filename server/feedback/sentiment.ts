import { registerEnumType } from 'type-graphql';

/**
 * Lexicon-based sentiment for English and Simplified Chinese customer feedback.
 *
 * Why a lexicon and not a model: feedback is short, domain-typical text ("repair took three
 * weeks", "客服态度很好"); a documented word list with negation and intensity rules is
 * predictable, explainable to the person triaging, fast, and needs no dependency or download.
 *
 * How a text is scored (rules adapted from VADER, Hutto & Gilbert 2014):
 * 1. Tokens. English: lower-cased words (apostrophes kept, so "don't" is one token). Chinese:
 *    runs of Han characters are scanned left to right taking the LONGEST lexicon entry that
 *    starts at each position (forward maximum matching), so 不错 ("not bad" = good) wins over
 *    不 + 错, and 不满 (dissatisfied) over 不 + 满.
 * 2. Each sentiment word has a valence from -3 to +3 (the lists below).
 * 3. Intensifiers (very, 非常, 太…) multiply the next sentiment word by 1.5; softeners
 *    (slightly, 有点…) by 0.6.
 * 4. A negator (not, never, n't, 不, 没有, 别…) within the three preceding tokens flips the word
 *    and damps it: valence * -0.75 ("not good" ≈ -1.5, "not bad" ≈ +1.5; 不好, 不太满意).
 * 5. "but" / 但是 / 可是 / 不过: words before it count half, words after it one and a half
 *    times — the clause after "but" usually carries the verdict.
 * 6. The sum s is squashed into [-1, 1] as s / sqrt(s² + 15); the label is POSITIVE above
 *    0.05, NEGATIVE below -0.05, NEUTRAL otherwise (VADER's thresholds).
 *
 * Limits, on purpose: no sarcasm, no domain-specific senses beyond the lists, no emoji. The
 * lists are small and curated for customer-service language; extend them here with a test.
 */

export enum Sentiment {
  POSITIVE = 'POSITIVE',
  NEUTRAL = 'NEUTRAL',
  NEGATIVE = 'NEGATIVE',
}
registerEnumType(Sentiment, { name: 'Sentiment', description: 'From the documented English / Chinese lexicon in server/feedback/sentiment.ts.' });

export interface SentimentResult {
  sentiment: Sentiment;
  /** In [-1, 1]. */
  score: number;
  /** 'zh' when Han characters dominate the letters, else 'en'. */
  language: 'en' | 'zh';
}

type Valences = Record<string, number>;

function words(list: string, valence: number): Valences {
  return Object.fromEntries(list.trim().split(/\s+/).map((w) => [w, valence]));
}

/** English valences (hand-curated for customer feedback). */
export const EN_LEXICON: Valences = {
  ...words(`ok okay fine decent adequate fair reasonable working works fixed solved resolved quick prompt clear easy
    smooth useful helpful polite friendly patient reliable stable convenient affordable cheap recommend recommended
    thanks thank thankful glad pleased happy satisfied likes liked enjoy enjoyed improved improvement fast timely
    responsive accurate clean comfortable welcoming kind courteous professional efficient effective simple intuitive`, 2),
  ...words(`good nice great love loved loves awesome amazing excellent fantastic wonderful perfect superb outstanding
    brilliant delighted impressed impressive exceptional best favorite favourite grateful appreciate appreciated
    superior lovely terrific flawless seamless`, 3),
  ...words(`slow late delay delayed delays confusing confused complicated difficult hard expensive overpriced pricey
    issue issues problem problems bug bugs error errors fault faulty mistake wrong missing lost unclear unhelpful
    inconvenient annoying annoyed disappointing disappointed dissatisfied unhappy unsatisfied frustrating frustrated
    rude unprofessional careless ignored waiting wait waited complaint complain complained complaining poor weak
    crash crashes crashed crashing failed fails fail failure broke broken damaged defective noisy leak leaking dirty
    unreliable unstable inaccurate refund return cancel cancelled canceled mediocre meh`, -2),
  ...words(`bad worse worst terrible horrible awful useless pathetic disgusting unacceptable ridiculous scam fraud
    furious angry hate hated hates nightmare disaster garbage trash rubbish incompetent liar lied lies cheated
    outrageous appalling dreadful`, -3),
};

/** Chinese valences (hand-curated; multi-character entries matched longest-first). */
export const ZH_LEXICON: Valences = {
  ...words(`好 不错 满意 喜欢 方便 快 及时 专业 耐心 热情 周到 礼貌 友好 清楚 简单 稳定 可靠 实惠 划算 便宜 舒服 干净
    顺利 高效 准时 推荐 谢谢 感谢 解决 修好 好用 好评 放心 省心 贴心 细心 认真 负责 靠谱 给力 值得 满足 开心 高兴
    愉快 顺畅 快速 迅速 准确 流畅`, 2),
  ...words(`很好 非常好 太好了 棒 优秀 完美 赞 点赞 满分 超赞 惊喜 出色 卓越 一流 极好 最好 喜爱 感动 超值 五星`, 3),
  ...words(`慢 贵 差 难用 麻烦 问题 故障 错误 延迟 拖延 等待 失望 不满 不满意 抱怨 投诉 退款 退货 取消 损坏 破损 坏了 漏水
    噪音 脏 乱 复杂 困难 缺少 丢失 没人管 没人理 敷衍 推诿 冷淡 不耐烦 粗鲁 态度差 质量差 不稳定 卡顿 崩溃 闪退 延误
    迟到 难过 生气 烦 后悔 一般 不靠谱`, -2),
  ...words(`很差 太差 极差 最差 糟糕 垃圾 骗子 欺骗 愤怒 恶心 恶劣 无法接受 离谱 坑人 坑 烂 再也不 差评 恼火 可恶 气死`, -3),
};

const EN_NEGATORS = new Set(`not no never none nobody nothing neither nor without hardly barely cannot cant dont doesnt didnt isnt
  wasnt werent arent wont wouldnt shouldnt couldnt aint havent hasnt hadnt`.trim().split(/\s+/));
const EN_INTENSIFIERS = new Set(`very really extremely so too super incredibly absolutely totally completely highly truly
  exceptionally especially particularly utterly most quite`.trim().split(/\s+/));
const EN_SOFTENERS = new Set(`slightly somewhat bit little fairly rather kinda sorta partly marginally`.trim().split(/\s+/));
const EN_BUT = new Set(['but', 'however', 'although', 'though']);

const ZH_NEGATORS = ['不是', '不太', '没有', '并不', '从不', '从来没', '不', '没', '无', '未', '别', '勿', '非'];
const ZH_INTENSIFIERS = ['非常', '特别', '十分', '极其', '相当', '超级', '格外', '尤其', '很', '太', '超', '真', '挺', '最'];
const ZH_SOFTENERS = ['有点儿', '有点', '有些', '稍微', '略', '一点'];
const ZH_BUT = ['但是', '可是', '不过', '然而', '但', '却'];

type Token = { kind: 'word'; valence: number } | { kind: 'neg' } | { kind: 'int'; factor: number } | { kind: 'but' } | { kind: 'other' };

const ZH_ENTRIES: [string, Token][] = [
  ...Object.entries(ZH_LEXICON).map(([w, v]) => [w, { kind: 'word', valence: v }] as [string, Token]),
  ...ZH_NEGATORS.map((w) => [w, { kind: 'neg' }] as [string, Token]),
  ...ZH_INTENSIFIERS.map((w) => [w, { kind: 'int', factor: 1.5 }] as [string, Token]),
  ...ZH_SOFTENERS.map((w) => [w, { kind: 'int', factor: 0.6 }] as [string, Token]),
  ...ZH_BUT.map((w) => [w, { kind: 'but' }] as [string, Token]),
];
// Lexicon words win over function words of the same spelling (e.g. 好 as "good", not 好不).
const ZH_TOKENS = new Map<string, Token>();
for (const [w, t] of ZH_ENTRIES) if (!ZH_TOKENS.has(w) || t.kind === 'word') ZH_TOKENS.set(w, t);
const ZH_MAX_LEN = Math.max(...[...ZH_TOKENS.keys()].map((w) => w.length));

function zhTokens(run: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < run.length) {
    let matched: Token | undefined;
    let len = 0;
    for (let l = Math.min(ZH_MAX_LEN, run.length - i); l >= 1; l--) {
      const t = ZH_TOKENS.get(run.slice(i, i + l));
      if (t) {
        matched = t;
        len = l;
        break;
      }
    }
    if (matched) {
      out.push(matched);
      i += len;
    } else {
      out.push({ kind: 'other' });
      i += 1;
    }
  }
  return out;
}

function enToken(word: string): Token {
  const w = word.replace(/[’']/g, '');
  if (word in EN_LEXICON) return { kind: 'word', valence: EN_LEXICON[word] };
  if (w in EN_LEXICON) return { kind: 'word', valence: EN_LEXICON[w] };
  if (EN_NEGATORS.has(w) || /n't$/.test(word.replace('’', "'"))) return { kind: 'neg' };
  if (EN_INTENSIFIERS.has(w)) return { kind: 'int', factor: 1.5 };
  if (EN_SOFTENERS.has(w)) return { kind: 'int', factor: 0.6 };
  if (EN_BUT.has(w)) return { kind: 'but' };
  return { kind: 'other' };
}

/** Splits text into tokens of both languages, in reading order; punctuation ends a negation scope. */
function tokenize(text: string): { tokens: Token[]; han: number; latin: number } {
  const tokens: Token[] = [];
  let han = 0;
  let latin = 0;
  const re = /(\p{Script=Han}+)|([a-z][a-z'’]*)|([.!?;,。！？；，、\n])/gu;
  for (const m of text.toLowerCase().matchAll(re)) {
    if (m[1]) {
      han += m[1].length;
      tokens.push(...zhTokens(m[1]));
    } else if (m[2]) {
      latin += m[2].length;
      tokens.push(enToken(m[2]));
    } else {
      tokens.push({ kind: 'other' }, { kind: 'other' }, { kind: 'other' });
    }
  }
  return { tokens, han, latin };
}

export function analyzeSentiment(text: string): SentimentResult {
  const { tokens, han, latin } = tokenize(text);
  const valences: number[] = [];
  let butAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'but') butAt = valences.length;
    if (t.kind !== 'word') continue;
    let v = t.valence;
    let negated = false;
    for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
      const p = tokens[j];
      if (p.kind === 'int' && j === i - 1) v *= p.factor;
      if (p.kind === 'neg') negated = !negated;
      if (p.kind === 'word' || p.kind === 'but') break;
    }
    valences.push(negated ? v * -0.75 : v);
  }
  if (butAt >= 0) {
    for (let k = 0; k < valences.length; k++) valences[k] *= k < butAt ? 0.5 : 1.5;
  }
  const sum = valences.reduce((a, b) => a + b, 0);
  const score = sum === 0 ? 0 : sum / Math.sqrt(sum * sum + 15);
  const rounded = Math.round(score * 1000) / 1000;
  return {
    sentiment: rounded > 0.05 ? Sentiment.POSITIVE : rounded < -0.05 ? Sentiment.NEGATIVE : Sentiment.NEUTRAL,
    score: rounded,
    language: han > 0 && han * 3 >= latin ? 'zh' : 'en',
  };
}
