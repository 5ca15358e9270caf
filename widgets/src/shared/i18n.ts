export type Locale = 'en' | 'zh-CN';

/** Any Chinese tag means Simplified Chinese (the only Chinese we ship); everything else is English. */
export function normalizeLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.trim().toLowerCase();
  if (!t) return undefined;
  return t.startsWith('zh') ? 'zh-CN' : 'en';
}

/** The nearest `lang` attribute, walking out of shadow roots into their hosts. */
function inheritedLang(host: Element): string | undefined {
  let node: Node | null = host;
  while (node) {
    if (node instanceof Element) {
      const found = node.closest('[lang]');
      if (found) return found.getAttribute('lang') ?? undefined;
    }
    const root: Node = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return undefined;
}

/** The widget's language: its `locale` (or the provider's), then the closest `[lang]`, `<html lang>`, the browser. */
export function resolveLocale(host: HTMLElement, explicit?: string | null): Locale {
  return (
    normalizeLocale(explicit) ??
    normalizeLocale(inheritedLang(host)) ??
    normalizeLocale(document.documentElement.lang) ??
    normalizeLocale(typeof navigator !== 'undefined' ? navigator.language : undefined) ??
    'en'
  );
}

/** A message lookup for one locale; `{name}` placeholders are filled from `vars`. */
export function translator<K extends string>(
  messages: Record<Locale, Record<K, string>>,
  locale: Locale,
): (key: K, vars?: Record<string, string | number>) => string {
  const table = messages[locale] ?? messages.en;
  return (key, vars) => {
    const text = table[key] ?? messages.en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

export function formatNumber(value: number, locale: Locale, options: Intl.NumberFormatOptions = {}): string {
  return numberFormat(locale, options).format(value);
}

/** Money from the API's decimal string, in its currency (CNY -> ¥1,234.50, USD -> $1,234.50). */
export function formatMoney(amount: string | number, currency: string, locale: Locale): string {
  const value = typeof amount === 'number' ? amount : Number(amount);
  try {
    return numberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    // An unknown currency code: the number with the code after it.
    return `${formatNumber(value, locale, { maximumFractionDigits: 2 })} ${currency}`;
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  // No weeks: "9 days ago" says more than "last week".
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 days ago" / "3天前", "yesterday" / "昨天", through Intl.RelativeTimeFormat. */
export function formatRelativeDate(date: string | Date, locale: Locale, now: Date = new Date()): string {
  const then = typeof date === 'string' ? new Date(date) : date;
  const seconds = (then.getTime() - now.getTime()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(0, 'second');
}

/** A full date for tooltips and `<time title>`. */
export function formatDate(date: string | Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(typeof date === 'string' ? new Date(date) : date);
}
