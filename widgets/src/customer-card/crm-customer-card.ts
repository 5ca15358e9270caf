import { initialState, Task, TaskStatus } from '@lit/task';
import { html, nothing } from 'lit';
import '../churn-badge/index.js';
import { WidgetCustomerCardDocument, type WidgetCustomerCardQuery } from '../gql/graphql.js';
import { isTokenExpired, request, WidgetError } from '../shared/client.js';
import { CrmElement } from '../shared/crm-element.js';
import type { CrmErrorDetail } from '../shared/events.js';
import { formatDate, formatMoney, formatRelativeDate, translator, type Locale } from '../shared/i18n.js';
import { baseStyles } from '../shared/styles.js';
import { channelIcon } from './channel-icons.js';
import { cardMessages, type CardKey } from './customer-card.messages.js';
import { cardStyles } from './customer-card.styles.js';

type Customer = WidgetCustomerCardQuery['widgetCustomer'];
type Money = { amount: string; currency: string } | null;

let nextId = 0;

/**
 * @summary One customer at a glance for a partner portal: who they are, their value, churn risk,
 * segment and stage, recent interactions, open cases and latest NPS.
 *
 * Needs a widget token with the CUSTOMER_CARD scope (minted by the partner's back end), directly or
 * through `<crm-provider>`. Shows a skeleton while loading, an error with a Retry button when the
 * request fails, "session expired" when the token has expired (set a fresh `token` and it reloads),
 * and an empty state without a token. Text in English or Simplified Chinese; money in the tenant
 * currency through Intl.
 *
 * @fires crm-load - The customer was loaded. detail: `{ customerId }`.
 * @fires crm-error - Loading failed. detail: `{ code, reason, retryable, message }`; reason TOKEN_EXPIRED means mint a new token.
 *
 * @csspart card - The card's frame (also in the loading, error and empty states).
 * @csspart header - Name, kind, title, company and the churn badge.
 * @csspart name - The customer's name.
 * @csspart meta - Kind, title and company line.
 * @csspart facts - The grid of tier, values, segment, stage and NPS.
 * @csspart interactions - The recent interactions list.
 * @csspart cases - The open cases list.
 * @csspart error - The error message and Retry button.
 * @csspart retry - The Retry button.
 * @csspart churn-badge - The churn badge's pill (forwarded from the inner `<crm-churn-badge>`).
 * @csspart churn-tooltip - The churn badge's tooltip (forwarded).
 *
 * @cssproperty --crm-card-max-width - Maximum width (default 28rem).
 * @cssproperty --crm-card-padding - Inner padding (default 1rem).
 * @cssproperty --crm-card-shadow - Box shadow (default none).
 * @cssproperty --crm-color-surface - Card background (default #ffffff).
 * @cssproperty --crm-color-border - Borders and dividers (default #d0d7de).
 * @cssproperty --crm-color-text - Main text (default #1f2328).
 * @cssproperty --crm-color-muted - Secondary text (default #57606a).
 * @cssproperty --crm-color-accent - Icons and the Retry button (default #0b57d0).
 * @cssproperty --crm-color-on-accent - Text on the Retry button (default #ffffff).
 * @cssproperty --crm-color-danger - Errors, urgent and breached cases (default #a4161a).
 * @cssproperty --crm-color-icon-bg - Channel icon background (default #eef1f4).
 * @cssproperty --crm-color-skeleton - Loading placeholders (default #e8ebef).
 * @cssproperty --crm-radius - Corner radius (default 6px).
 * @cssproperty --crm-font-family - Font stack of every widget.
 * @cssproperty --crm-font-size - Base font size (default 14px).
 * @cssproperty --crm-color-focus - Focus ring colour (default #0b57d0).
 */
export class CrmCustomerCard extends CrmElement {
  static override properties = {
    customerId: { type: String, attribute: 'customer-id' },
  };

  static override styles = [baseStyles, cardStyles];

  /** The customer the token is for; a token bound to another customer shows an error. */
  declare customerId?: string;

  private readonly _uid = ++nextId;

  private readonly _task = new Task(this, {
    args: () => [this.config.endpoint, this.config.token, this.customerId] as const,
    task: async ([endpoint, token, customerId], { signal }) => {
      if (!token) return initialState;
      try {
        const { widgetCustomer } = await request({ endpoint, token }, WidgetCustomerCardDocument, {}, { signal });
        if (customerId && widgetCustomer.id !== customerId) {
          throw new WidgetError('FORBIDDEN', 'The widget token belongs to another customer');
        }
        this.emit('crm-load', { customerId: widgetCustomer.id });
        return widgetCustomer;
      } catch (error) {
        if (signal.aborted) throw error;
        const e = error instanceof WidgetError ? error : new WidgetError('INTERNAL', String(error));
        this.emit<CrmErrorDetail>('crm-error', { code: e.code, reason: e.reason, retryable: e.retryable, message: e.message });
        throw e;
      }
    },
  });

  /** Loads the customer again (what the Retry button does). */
  retry(): Promise<void> {
    return this._task.run();
  }

  protected override render() {
    const t = translator(cardMessages, this.locale);
    if (!this.config.token) return html`<div part="card" class="card"><p class="muted">${t('empty')}</p></div>`;
    // A fresh load (or a retry) shows the skeleton, even over older data.
    if (this._task.status === TaskStatus.PENDING) return this._skeleton(t);
    if (this._task.status === TaskStatus.ERROR) return this._errorView(t, this._task.error);
    return this._task.value ? this._customer(t, this._task.value, this.locale) : this._skeleton(t);
  }

  private _skeleton(t: (k: CardKey) => string) {
    return html`<div part="card" class="card" aria-busy="true">
      <span class="visually-hidden" role="status">${t('loading')}</span>
      <span class="sk title"></span><span class="sk w60"></span><span class="sk w80"></span><span class="sk w80"></span>
      <span class="sk w40"></span><span class="sk w60"></span>
    </div>`;
  }

  private _errorView(t: (k: CardKey) => string, error: unknown) {
    const expired = isTokenExpired(error);
    const code = error instanceof WidgetError ? error.code : '';
    const text = expired
      ? t('expired')
      : code === 'NETWORK'
        ? t('errorNetwork')
        : code === 'FORBIDDEN'
          ? t('errorForbidden')
          : t('error');
    return html`<div part="card" class="card">
      <div part="error" class="error" role="alert">
        <p class="error-text">${text}</p>
        ${expired ? nothing : html`<button type="button" part="retry" class="retry" @click=${() => this.retry()}>${t('retry')}</button>`}
      </div>
    </div>`;
  }

  private _customer(t: (k: CardKey, vars?: Record<string, string | number>) => string, c: Customer, locale: Locale) {
    const now = new Date();
    const label = (key: string | null | undefined) => (key ? (key in cardMessages.en ? t(key as CardKey) : key) : t('notYet'));
    const money = (m: Money) => (m ? formatMoney(m.amount, m.currency || c.currency, locale) : t('notYet'));
    const id = (name: string) => `crm-card-${this._uid}-${name}`;
    const meta = [t(c.kind as CardKey), c.title, c.company].filter(Boolean).join(' · ');
    const nps = c.latestNps;
    const category = nps ? (nps.score >= 9 ? 'promoter' : nps.score >= 7 ? 'passive' : 'detractor') : undefined;
    return html`<article part="card" class="card" aria-label=${t('card', { name: c.displayName })}>
      <div part="header" class="header">
        <div>
          <p part="name" class="name">${c.displayName}</p>
          <p part="meta" class="meta">${meta}</p>
        </div>
        ${c.churn
          ? html`<crm-churn-badge
              exportparts="badge: churn-badge, tooltip: churn-tooltip"
              risk=${c.churn.level}
              .reasons=${c.churn.reasons}
              .score=${c.churn.score}
              locale=${locale}
            ></crm-churn-badge>`
          : nothing}
      </div>
      <dl part="facts" class="facts">
        <div><dt>${t('tier')}</dt><dd data-field="tier">${label(c.tier)}</dd></div>
        <div><dt>${t('historicValue')}</dt><dd data-field="historicValue">${money(c.historicValue)}</dd></div>
        <div><dt>${t('predictedClv')}</dt><dd data-field="predictedClv">${money(c.predictedClv)}</dd></div>
        <div><dt>${t('rfmSegment')}</dt><dd data-field="rfmSegment">${label(c.rfmSegment)}</dd></div>
        <div><dt>${t('lifecycleStage')}</dt><dd data-field="lifecycleStage">${label(c.lifecycleStage)}</dd></div>
        <div>
          <dt>${t('latestNps')}</dt>
          <dd data-field="latestNps">
            ${nps
              ? t('npsValue', { score: nps.score, category: t(category as CardKey), when: formatRelativeDate(nps.respondedAt, locale, now) })
              : t('noNps')}
          </dd>
        </div>
      </dl>
      <div class="section" role="group" aria-labelledby=${id('interactions')}>
        <p class="section-title" id=${id('interactions')}>${t('recentInteractions')}</p>
        ${c.recentInteractions.length
          ? html`<ul part="interactions">
              ${c.recentInteractions.map(
                (i) => html`<li data-channel=${i.channel}>
                  <span class="icon" role="img" aria-label=${t(i.channel as CardKey)}>${channelIcon(i.channel)}</span>
                  <span class="grow">${i.summary || t(i.channel as CardKey)}</span>
                  <time datetime=${i.occurredAt} title=${formatDate(i.occurredAt, locale)}>${formatRelativeDate(i.occurredAt, locale, now)}</time>
                </li>`,
              )}
            </ul>`
          : html`<p class="muted">${t('noInteractions')}</p>`}
      </div>
      <div class="section" role="group" aria-labelledby=${id('cases')}>
        <p class="section-title" id=${id('cases')}>${t('openCases', { count: c.openCaseCount })}</p>
        ${c.openCases.length
          ? html`<ul part="cases">
              ${c.openCases.map(
                (k) => html`<li>
                  <span class="grow">${k.subject}</span>
                  <span class="tag ${k.priority}">${t(k.priority as CardKey)}</span>
                  <span class="tag">${t(k.status as CardKey)}</span>
                  ${k.breached ? html`<span class="tag breached">${t('breached')}</span>` : nothing}
                </li>`,
              )}
            </ul>
            ${c.openCaseCount > c.openCases.length
              ? html`<p class="muted">${t('moreCases', { count: c.openCaseCount - c.openCases.length })}</p>`
              : nothing}`
          : html`<p class="muted">${t('noCases')}</p>`}
      </div>
    </article>`;
  }
}
