import { html, nothing, type PropertyValues } from 'lit';
import { WidgetChurnBadgeDocument } from '../gql/graphql.js';
import { isTokenExpired, request, WidgetError } from '../shared/client.js';
import { CrmElement } from '../shared/crm-element.js';
import type { CrmErrorDetail } from '../shared/events.js';
import { translator } from '../shared/i18n.js';
import { baseStyles } from '../shared/styles.js';
import { badgeMessages, CHURN_LEVELS, reasonMessagesZh, type ChurnLevel } from './churn-badge.messages.js';
import { badgeStyles } from './churn-badge.styles.js';

export interface ChurnReason {
  code: string;
  message: string;
}

let nextId = 0;

/**
 * @summary A customer's churn risk as a text label plus colour, with the reasons in an accessible tooltip.
 *
 * Give it `risk` (LOW | MEDIUM | HIGH | CHURNED) to render without any network request, optionally with
 * `reasons` and `score` as properties; or give it a widget token (CHURN_BADGE or CUSTOMER_CARD scope,
 * directly or through `<crm-provider>`) and it fetches the customer's churn risk itself.
 * When there are reasons the badge is focusable: hovering or focusing it shows them (role=tooltip,
 * referenced by aria-describedby); Escape hides them.
 *
 * @fires crm-load - The churn risk was fetched. detail: `{ customerId }`.
 * @fires crm-error - Fetching failed. detail: `{ code, reason, retryable, message }`; reason TOKEN_EXPIRED means the host should mint a new token.
 *
 * @csspart badge - The label pill (a button when it has reasons).
 * @csspart dot - The coloured marker.
 * @csspart label - The text label.
 * @csspart tooltip - The reasons popup.
 *
 * @cssproperty --crm-risk-low-bg - Background for LOW (default #e6f4ea).
 * @cssproperty --crm-risk-low-color - Text and border for LOW (default #1b5e20).
 * @cssproperty --crm-risk-medium-bg - Background for MEDIUM (default #fff4e0).
 * @cssproperty --crm-risk-medium-color - Text and border for MEDIUM (default #7a4100).
 * @cssproperty --crm-risk-high-bg - Background for HIGH (default #fdecea).
 * @cssproperty --crm-risk-high-color - Text and border for HIGH (default #a4161a).
 * @cssproperty --crm-risk-churned-bg - Background for CHURNED (default #eceff1).
 * @cssproperty --crm-risk-churned-color - Text and border for CHURNED (default #37474f).
 * @cssproperty --crm-badge-radius - Corner radius of the pill (default 999px).
 * @cssproperty --crm-tooltip-bg - Tooltip background (default #24292f).
 * @cssproperty --crm-tooltip-color - Tooltip text (default #ffffff).
 * @cssproperty --crm-tooltip-z-index - Tooltip stacking order (default 10).
 * @cssproperty --crm-font-family - Font stack of every widget.
 * @cssproperty --crm-font-size - Base font size of every widget (default 14px).
 * @cssproperty --crm-color-focus - Focus ring colour (default #0b57d0).
 */
export class CrmChurnBadge extends CrmElement {
  static override properties = {
    risk: { type: String, reflect: true },
    customerId: { type: String, attribute: 'customer-id' },
    reasons: { attribute: false },
    score: { type: Number },
    _fetched: { state: true },
    _error: { state: true },
    _loading: { state: true },
    _open: { state: true },
  };

  static override styles = [baseStyles, badgeStyles];

  /** LOW, MEDIUM, HIGH or CHURNED; when set, nothing is fetched. */
  declare risk?: string;
  /** The customer the token is for; a token bound to another customer is an error. */
  declare customerId?: string;
  /** Why the risk is what it is (property only). */
  declare reasons?: ChurnReason[];
  /** Churn score 0–100, shown in the tooltip. */
  declare score?: number | null;

  declare private _fetched?: { level: ChurnLevel; score: number | null; reasons: ChurnReason[] } | null;
  declare private _error?: WidgetError;
  declare private _loading: boolean;
  declare private _open: boolean;
  private readonly _tipId = `crm-churn-tip-${++nextId}`;
  private _abort?: AbortController;
  private _fetchedWith = '';

  constructor() {
    super();
    this._loading = false;
    this._open = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
    this._fetchedWith = '';
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this._maybeFetch();
  }

  protected override configChanged(): void {
    this._maybeFetch();
  }

  /** Fetches when there is no `risk` but there is a token, once per (endpoint, token, customer). */
  private _maybeFetch(): void {
    if (this.risk || !this.isConnected) return;
    const { endpoint, token } = this.config;
    if (!token) return;
    const key = `${endpoint}\n${token}\n${this.customerId ?? ''}`;
    if (key === this._fetchedWith) return;
    this._fetchedWith = key;
    void this._fetch(endpoint, token);
  }

  private async _fetch(endpoint: string, token: string): Promise<void> {
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    this._loading = true;
    this._error = undefined;
    try {
      const { widgetCustomer } = await request({ endpoint, token }, WidgetChurnBadgeDocument, {}, { signal: abort.signal });
      if (this.customerId && widgetCustomer.id !== this.customerId) {
        throw new WidgetError('FORBIDDEN', 'The widget token belongs to another customer');
      }
      const churn = widgetCustomer.churn;
      this._fetched = churn ? { level: churn.level, score: churn.score ?? null, reasons: churn.reasons } : null;
      this._loading = false;
      this.emit('crm-load', { customerId: widgetCustomer.id });
    } catch (error) {
      if (abort.signal.aborted) return;
      const e = error instanceof WidgetError ? error : new WidgetError('INTERNAL', String(error));
      this._error = e;
      this._loading = false;
      this.emit<CrmErrorDetail>('crm-error', { code: e.code, reason: e.reason, retryable: e.retryable, message: e.message });
    }
  }

  private get _level(): ChurnLevel | undefined {
    const own = this.risk?.toUpperCase() as ChurnLevel | undefined;
    if (own) return CHURN_LEVELS.includes(own) ? own : undefined;
    return this._fetched?.level;
  }

  private get _reasons(): ChurnReason[] {
    return (this.risk ? this.reasons : this._fetched?.reasons) ?? [];
  }

  private get _score(): number | null | undefined {
    return this.risk ? this.score : this._fetched?.score;
  }

  private _show = () => {
    this._open = true;
  };

  private _hide = () => {
    this._open = false;
  };

  private _onKeydown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this._open) {
      this._open = false;
      e.stopPropagation();
    }
  };

  protected override render() {
    const t = translator(badgeMessages, this.locale);
    const level = this._level;
    if (!level) {
      const text = this._loading ? t('loading') : this._error ? (isTokenExpired(this._error) ? t('expired') : t('error')) : t('unknown');
      return html`<span part="badge" class="badge NONE" role=${this._loading ? 'status' : nothing}>
        <span part="label">${text}</span>
      </span>`;
    }
    const reasons = this._reasons;
    const score = this._score;
    const label = html`<span part="dot" class="dot" aria-hidden="true"></span><span part="label">${t(level)}</span>`;
    if (!reasons.length && score == null) {
      return html`<span part="badge" class="badge ${level}">${label}</span>`;
    }
    const zh = this.locale === 'zh-CN';
    return html`
      <button
        type="button"
        part="badge"
        class="badge ${level}"
        aria-describedby=${this._tipId}
        @mouseenter=${this._show}
        @mouseleave=${this._hide}
        @focus=${this._show}
        @blur=${this._hide}
        @click=${this._show}
        @keydown=${this._onKeydown}
      >
        ${label}
      </button>
      <div part="tooltip" class="tooltip" role="tooltip" id=${this._tipId} ?hidden=${!this._open}>
        ${score != null ? html`<p>${t('score', { score: Math.round(score) })}</p>` : nothing}
        ${reasons.length
          ? html`<p class="visually-hidden">${t('reasons')}</p>
              <ul>
                ${reasons.map((r) => html`<li data-code=${r.code}>${(zh && reasonMessagesZh[r.code]) || r.message}</li>`)}
              </ul>`
          : nothing}
      </div>
    `;
  }
}
