import { describe, expect, it } from 'vitest';
import { analyzeSentiment } from '../../server/feedback/sentiment.js';

const label = (text: string) => analyzeSentiment(text).sentiment;

describe('analyzeSentiment (English / Simplified Chinese lexicon)', () => {
  it.each([
    ['The repair was fast and the staff were very friendly', 'POSITIVE'],
    ['Terrible service, I waited three weeks and nobody called back.', 'NEGATIVE'],
    ['Order arrived on Tuesday', 'NEUTRAL'],
    ['客服态度很好，非常满意！', 'POSITIVE'],
    ['质量太差了，再也不买了', 'NEGATIVE'],
    ['收到了', 'NEUTRAL'],
  ])('reads "%s" as %s', (text, expected) => {
    expect(label(text)).toBe(expected);
  });

  it('flips negated words in both languages', () => {
    expect(label('It is not good')).toBe('NEGATIVE');
    expect(label('not bad at all')).toBe('POSITIVE');
    expect(label("The staff weren't helpful")).toBe('NEGATIVE');
    expect(label('不太满意')).toBe('NEGATIVE');
    expect(label('没问题')).toBe('POSITIVE');
  });

  it('matches the longest Chinese entry first (不错 is good, not 不 + 错)', () => {
    expect(label('不错')).toBe('POSITIVE');
    expect(label('不满')).toBe('NEGATIVE');
  });

  it('weighs the clause after "but" / 但是 more', () => {
    expect(label('The product is fine but delivery was slow')).toBe('NEGATIVE');
    expect(label('服务很好，但是送货太慢了')).toBe('NEGATIVE');
    expect(label('Delivery was slow but the support team was excellent')).toBe('POSITIVE');
  });

  it('intensifiers make a score stronger, softeners weaker', () => {
    const plain = analyzeSentiment('good').score;
    expect(analyzeSentiment('very good').score).toBeGreaterThan(plain);
    expect(analyzeSentiment('slightly good').score).toBeLessThan(plain);
  });

  it('reports the language and a score in [-1, 1]', () => {
    expect(analyzeSentiment('非常满意 great').language).toBe('zh');
    expect(analyzeSentiment('great').language).toBe('en');
    for (const text of ['awful awful awful awful awful', 'great great great great']) {
      const { score } = analyzeSentiment(text);
      expect(Math.abs(score)).toBeLessThanOrEqual(1);
    }
  });
});
