import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import {
  FeedbackFormSubmitDocument,
  FeedbackFormSurveyDocument,
  type FeedbackFormSubmitMutation,
  type FeedbackFormSubmitMutationVariables,
  type FeedbackFormSurveyQuery,
  type FeedbackFormSurveyQueryVariables,
} from '../gql/graphql.js';
import '../nps-scale/index.js';
import type { CrmNpsScale } from '../nps-scale/crm-nps-scale.js';
import { request, WidgetError } from '../shared/client.js';
import { CrmElement } from '../shared/crm-element.js';
import { baseStyles } from '../shared/styles.js';
import { translator } from '../shared/i18n.js';
import { flush, pending, randomId, submit, subscribe, type OutboxResult } from '../shared/outbox.js';
import { feedbackMessages, type FeedbackMessage } from './feedback-form.messages.js';
import { feedbackFormStyles } from './feedback-form.styles.js';

type Survey = FeedbackFormSurveyQuery['survey'];
type Question = Survey['questions'][number];
type Localized = { en?: string | null; zhCN?: string | null } | null | undefined;
type Answer = { value?: number | null; choiceIds?: string[]; text?: string };
type AnswerInput = FeedbackFormSubmitMutationVariables['input']['answers'][number];

/** One form session: its idempotency key and answers survive a reload (sessionStorage). */
interface Session {
  key: string;
  answers: Record<string, Answer>;
  /** The final submission was made (delivered or waiting in the outbox). */
  final?: boolean;
}

export interface FeedbackSubmitDetail {
  /** The survey response on the server. */
  responseId: string;
  /** false for a partial save, true when the response is complete. */
  final: boolean;
}

export interface FeedbackErrorDetail {
  /** The server's `extensions.code`, or NETWORK / UNAVAILABLE / HTTP_<status>. */
  code: string;
  /** true: the answer is kept and will be sent again (or the load can be retried). */
  retryable: boolean;
}

type View = 'loading' | 'error' | 'ready' | 'done';

const SAVE_DELAY_MS = 800;
const SESSION_PREFIX = 'clientele-feedback:';

function readSession(surveyId: string): Session {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_PREFIX + surveyId) ?? 'null') as Session | null;
    if (stored && typeof stored.key === 'string') return { ...stored, answers: stored.answers ?? {} };
  } catch {
    // Storage refused or corrupt: start a new session.
  }
  const session: Session = { key: randomId(), answers: {} };
  writeSession(surveyId, session);
  return session;
}

function writeSession(surveyId: string, session: Session): void {
  try {
    sessionStorage.setItem(SESSION_PREFIX + surveyId, JSON.stringify(session));
  } catch {
    // Without sessionStorage a reload starts over; the outbox still keeps what was submitted.
  }
}

function pick(text: Localized, locale: string): string {
  const en = text?.en ?? '';
  const zh = text?.zhCN ?? '';
  return (locale === 'zh-CN' ? zh || en : en || zh) || '';
}

function answered(q: Question, a: Answer | undefined): boolean {
  switch (q.kind) {
    case 'NPS':
    case 'RATING':
      return a?.value != null;
    case 'SINGLE_CHOICE':
    case 'MULTI_CHOICE':
      return !!a?.choiceIds?.length;
    default:
      return !!a?.text?.trim();
  }
}

/** Every question in order; an unanswered one is sent bare, which clears an earlier partial answer. */
function toInputs(survey: Survey, answers: Record<string, Answer>): AnswerInput[] {
  return survey.questions.map((q) => {
    const a = answers[q.id];
    if (!answered(q, a)) return { questionId: q.id };
    if (q.kind === 'NPS' || q.kind === 'RATING') return { questionId: q.id, value: a!.value };
    if (q.kind === 'TEXT') return { questionId: q.id, text: a!.text!.trim() };
    return { questionId: q.id, choiceIds: a!.choiceIds };
  });
}

/**
 * An embeddable survey: loads an ACTIVE survey with a publishable key and renders its questions
 * (NPS, rating, single and multiple choice, free text) in English or Simplified Chinese.
 *
 * Answers are saved as the user goes (debounced partial submissions) under one idempotency key per
 * form session, kept in sessionStorage so a reload continues the same response. Every submission
 * goes through the offline outbox: when the network or the server fails, it stays on the device
 * (IndexedDB, else localStorage) and is sent on reconnect or on the next page load, exactly once.
 * A widget token with scope FEEDBACK ties the response to that customer.
 *
 * @summary Survey form with validation, partial saves, an offline outbox and a thank-you state.
 *
 * @attr survey-id - The survey to show (must be ACTIVE).
 * @attr publishable-key - A `pk_…` key whose allowed origins include this page (or from `<crm-provider>`).
 * @attr endpoint - The GraphQL endpoint (or from `<crm-provider>`).
 * @attr token - Optional widget token with scope FEEDBACK: ties the response to its customer.
 * @attr locale - `en` or `zh-CN`; defaults to the provider's, then the closest `lang`.
 *
 * @fires crm-feedback-submit - `{ responseId, final }` when the server stored a partial save (`final: false`) or the completed response (`final: true`).
 * @fires crm-feedback-error - `{ code, retryable }` when loading or sending fails; `retryable: true` means the answer is kept and will be sent later.
 *
 * @csspart title - The survey title.
 * @csspart description - The survey description.
 * @csspart form - The `<form>`.
 * @csspart question - One question (a fieldset for rating and choice questions).
 * @csspart question-text - A question's text (legend or label).
 * @csspart error - A question's validation message.
 * @csspart textarea - The free-text answer.
 * @csspart nps-group - The NPS scale's radiogroup (exported from `<crm-nps-scale>`; also nps-options, nps-option, nps-selected, nps-labels, nps-error).
 * @csspart submit - The send button.
 * @csspart status - Save and offline notices.
 * @csspart loading - The loading skeleton.
 * @csspart load-error - The load error with its retry button.
 * @csspart retry - The retry button.
 * @csspart thanks - The thank-you state.
 *
 * @cssproperty --crm-font-family - Font family.
 * @cssproperty --crm-font-size - Base font size.
 * @cssproperty --crm-color-text - Text colour.
 * @cssproperty --crm-color-muted - Secondary text (notices, "Required").
 * @cssproperty --crm-color-surface - Background.
 * @cssproperty --crm-color-border - Borders.
 * @cssproperty --crm-color-primary - Buttons, chosen ratings and checked inputs.
 * @cssproperty --crm-color-on-primary - Text on primary.
 * @cssproperty --crm-color-focus - Focus ring.
 * @cssproperty --crm-color-danger - Validation messages and invalid borders.
 * @cssproperty --crm-color-skeleton - Loading placeholder.
 * @cssproperty --crm-radius - Corner radius.
 * @cssproperty --crm-feedback-max-width - Maximum width (default 40rem).
 * @cssproperty --crm-feedback-padding - Inner padding.
 */
export class CrmFeedbackForm extends CrmElement {
  static override styles = [baseStyles, feedbackFormStyles];
  static override properties: PropertyDeclarations = {
    ...CrmElement.properties,
    surveyId: { type: String, attribute: 'survey-id' },
    _view: { state: true },
    _survey: { state: true },
    _answers: { state: true },
    _invalid: { state: true },
    _loadError: { state: true },
    _notice: { state: true },
    _queued: { state: true },
    _sending: { state: true },
  };

  /** The survey to show. */
  declare surveyId: string | null;
  declare private _view: View;
  declare private _survey: Survey | undefined;
  declare private _answers: Record<string, Answer>;
  /** Ids of the questions whose validation message shows. */
  declare private _invalid: string[];
  declare private _loadError: WidgetError | undefined;
  declare private _notice: 'saved' | 'summary' | 'sendError' | undefined;
  /** A submission of this session waits in the outbox. */
  declare private _queued: boolean;
  declare private _sending: boolean;

  #session?: Session;
  #loadedFor = '';
  #loadAbort?: AbortController;
  #saveTimer?: ReturnType<typeof setTimeout>;
  #chain: Promise<unknown> = Promise.resolve();
  #unsubscribe?: () => void;
  #focus: 'invalid' | 'done' | undefined;

  constructor() {
    super();
    this.surveyId = null;
    this._view = 'loading';
    this._answers = {};
    this._invalid = [];
    this._queued = false;
    this._sending = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unsubscribe = subscribe(this.#onOutbox);
    window.addEventListener('online', this.#onOnline);
    // Whatever an earlier page could not send goes out now.
    void flush().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    window.removeEventListener('online', this.#onOnline);
    // A save still waiting for its debounce is stored (and sent) now rather than lost.
    if (this.#saveTimer) void this.#save(true);
  }

  /** Loads the survey again (after an error). */
  retry(): void {
    void this.#load();
  }

  protected override willUpdate(): void {
    const { endpoint, publishableKey } = this.config;
    const key = `${endpoint}|${publishableKey ?? ''}|${this.surveyId ?? ''}`;
    if (this.surveyId && key !== this.#loadedFor) void this.#load();
  }

  protected override updated(): void {
    const focus = this.#focus;
    this.#focus = undefined;
    if (focus === 'done') this.renderRoot.querySelector<HTMLElement>('.done')?.focus();
    if (focus === 'invalid' && this._invalid.length && this._survey) {
      const index = this._survey.questions.findIndex((q) => this._invalid.includes(q.id));
      const target = this.renderRoot.querySelector<HTMLElement>(
        `[data-q="${index}"] :is(crm-nps-scale, input:checked, input, textarea)`,
      );
      target?.focus();
    }
  }

  get #t() {
    return translator(feedbackMessages, this.locale);
  }

  async #load(): Promise<void> {
    const surveyId = this.surveyId;
    if (!surveyId) return;
    const config = this.config;
    this.#loadedFor = `${config.endpoint}|${config.publishableKey ?? ''}|${surveyId}`;
    this.#loadAbort?.abort();
    const abort = (this.#loadAbort = new AbortController());
    const session = (this.#session = readSession(surveyId));
    this._loadError = undefined;
    this._notice = undefined;
    this._queued = await this.#isQueued(session.key);
    if (abort.signal.aborted) return;
    if (session.final) {
      // Already submitted in this session (maybe still waiting in the outbox): no second response.
      this._view = 'done';
      return;
    }
    this._view = 'loading';
    try {
      const data = await request<FeedbackFormSurveyQuery, FeedbackFormSurveyQueryVariables>(
        config,
        FeedbackFormSurveyDocument,
        { id: surveyId },
        { signal: abort.signal },
      );
      if (abort.signal.aborted) return;
      const ids = new Set(data.survey.questions.map((q) => q.id));
      this._survey = data.survey;
      this._answers = Object.fromEntries(Object.entries(session.answers).filter(([id]) => ids.has(id)));
      this._invalid = [];
      this._view = 'ready';
    } catch (e) {
      if (abort.signal.aborted) return;
      const error = e instanceof WidgetError ? e : new WidgetError('NETWORK', String(e), { retryable: true });
      this._loadError = error;
      this._view = 'error';
      this.#emitError(error);
    }
  }

  async #isQueued(key: string): Promise<boolean> {
    try {
      return (await pending()).some((e) => e.idempotencyKey === key);
    } catch {
      return false;
    }
  }

  #onOnline = (): void => {
    if (this._view === 'error' && this._loadError?.retryable) void this.#load();
  };

  #emitError(error: WidgetError): void {
    this.emit<FeedbackErrorDetail>('crm-feedback-error', { code: error.code, retryable: error.retryable });
  }

  #setAnswer(q: Question, answer: Answer): void {
    if (!this.#session || !this.surveyId) return;
    this._answers = { ...this._answers, [q.id]: answer };
    if (this._invalid.includes(q.id) && answered(q, answer)) this._invalid = this._invalid.filter((id) => id !== q.id);
    if (!this._invalid.length && this._notice === 'summary') this._notice = undefined;
    this.#session.answers = this._answers;
    writeSession(this.surveyId, this.#session);
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.#save(true), SAVE_DELAY_MS);
  }

  /** Sends the answers through the outbox, one submission at a time (a partial never overtakes the final). */
  #save(partial: boolean): Promise<unknown> {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    const survey = this._survey;
    const session = this.#session;
    if (!survey || !session) return this.#chain;
    const { endpoint, publishableKey, token } = this.config;
    const variables: FeedbackFormSubmitMutationVariables = {
      idempotencyKey: session.key,
      input: { surveyId: survey.id, channel: 'WEB', partial, answers: toInputs(survey, this._answers) },
    };
    const send = () =>
      submit({ idempotencyKey: session.key, endpoint, publishableKey, token, document: String(FeedbackFormSubmitDocument), variables }).catch(
        () => undefined,
      );
    return (this.#chain = this.#chain.then(send, send));
  }

  #onOutbox = (result: OutboxResult): void => {
    const session = this.#session;
    if (!session || result.entry.idempotencyKey !== session.key) return;
    const final = (result.entry.variables as FeedbackFormSubmitMutationVariables).input.partial === false;
    if (result.status === 'delivered') {
      const responseId = (result.data as FeedbackFormSubmitMutation).submitSurveyResponse.id;
      this._queued = false;
      if (final) this.#finish();
      else if (this._view === 'ready') this._notice = 'saved';
      this.emit<FeedbackSubmitDetail>('crm-feedback-submit', { responseId, final });
      return;
    }
    if (result.status === 'kept') {
      if (!this._queued) this.#emitError(result.error);
      this._queued = true;
      if (final) this.#finish();
      return;
    }
    // Refused for good: the outbox dropped it; show why and let the user fix or resend.
    this._queued = false;
    this._sending = false;
    if (final && this.surveyId) {
      session.final = false;
      writeSession(this.surveyId, session);
    }
    if (!this._survey) {
      this._loadError = result.error;
      this._view = 'error';
    } else {
      this._view = 'ready';
      const invalid = this.#questionsIn(result.error);
      if (invalid.length) {
        this._invalid = invalid;
        this._notice = 'summary';
        this.#focus = 'invalid';
      } else {
        this._notice = 'sendError';
      }
    }
    this.#emitError(result.error);
  };

  #finish(): void {
    if (this._view !== 'done') this.#focus = 'done';
    this._view = 'done';
    this._sending = false;
  }

  /** The questions a BAD_USER_INPUT names, by `questionId` or by the answer index in the path. */
  #questionsIn(error: WidgetError): string[] {
    const questions = this._survey?.questions ?? [];
    const ids = new Set<string>();
    for (const field of error.fields) {
      const byId = (field as { questionId?: string }).questionId;
      const index = /answers\.(\d+)/.exec(field.path)?.[1];
      const id = byId ?? (index !== undefined ? questions[Number(index)]?.id : undefined);
      if (id && questions.some((q) => q.id === id)) ids.add(id);
    }
    return questions.filter((q) => ids.has(q.id)).map((q) => q.id);
  }

  #onSubmit(event: Event): void {
    event.preventDefault();
    const survey = this._survey;
    if (!survey || !this.#session || !this.surveyId || this._sending) return;
    const invalid = survey.questions.filter((q) => q.required && !answered(q, this._answers[q.id])).map((q) => q.id);
    this._invalid = invalid;
    if (invalid.length) {
      this._notice = 'summary';
      this.#focus = 'invalid';
      return;
    }
    this._notice = undefined;
    this._sending = true;
    this.#session.final = true;
    writeSession(this.surveyId, this.#session);
    void this.#save(false);
  }

  #message(q: Question): string {
    const t = this.#t;
    switch (q.kind) {
      case 'NPS':
        return t('errNps');
      case 'RATING':
        return t('errRating', { max: q.scale ?? 5 });
      case 'SINGLE_CHOICE':
        return t('errSingle');
      case 'MULTI_CHOICE':
        return t('errMulti');
      default:
        return t('errText');
    }
  }

  protected override render() {
    const t = this.#t;
    switch (this._view) {
      case 'loading':
        return html`<div part="loading" role="status" lang=${this.locale}>
          <span class="visually-hidden">${t('loading')}</span>
          <div class="skeleton title"></div>
          <div class="skeleton"></div>
          <div class="skeleton short"></div>
        </div>`;
      case 'error': {
        const error = this._loadError;
        return html`<div part="load-error" role="alert" lang=${this.locale}>
          <p>${error?.code === 'NOT_FOUND' ? t('notFound') : t('loadError')}</p>
          ${error?.retryable !== false
            ? html`<button type="button" part="retry" @click=${() => this.retry()}>${t('retry')}</button>`
            : nothing}
        </div>`;
      }
      case 'done':
        return html`<div part="thanks" class="done" tabindex="-1" lang=${this.locale}>
          <h2>${t('thanks')}</h2>
          <p part="status" role="status">${this._queued ? t('thanksQueued') : t('thanksSent')}</p>
        </div>`;
      default:
        return this.#renderForm();
    }
  }

  #renderForm(): TemplateResult {
    const t = this.#t;
    const survey = this._survey!;
    const locale = this.locale;
    const description = pick(survey.description, locale);
    const notice = this._queued
      ? t('queued')
      : this._notice
        ? t(this._notice as FeedbackMessage, { count: this._invalid.length })
        : '';
    return html`
      <form part="form" lang=${locale} novalidate aria-labelledby="title" @submit=${this.#onSubmit}>
        <h2 id="title" part="title">${pick(survey.title, locale)}</h2>
        ${description ? html`<p part="description">${description}</p>` : nothing}
        ${survey.questions.map((q, i) => this.#renderQuestion(q, i))}
        <button type="submit" part="submit" ?disabled=${this._sending}>${this._sending ? t('sending') : t('submit')}</button>
        <p part="status" class="status" role="status">${notice}</p>
      </form>
    `;
  }

  #renderQuestion(q: Question, i: number): TemplateResult {
    const locale = this.locale;
    const text = pick(q.text, locale);
    const answer = this._answers[q.id];
    const invalid = this._invalid.includes(q.id);
    const errorId = `q${i}-error`;
    const describedBy = invalid ? errorId : nothing;
    const ariaInvalid = invalid ? 'true' : 'false';
    const required = q.required ? html`<span class="required">(${this.#t('required')})</span>` : nothing;
    const error = invalid ? html`<p id=${errorId} part="error" class="error">${this.#message(q)}</p>` : nothing;

    if (q.kind === 'NPS') {
      return html`<div class="question" part="question" data-q=${i}>
        <div class="question-text" part="question-text">${text}${required}</div>
        <crm-nps-scale
          exportparts="group: nps-group, options: nps-options, option: nps-option, selected: nps-selected, labels: nps-labels, error: nps-error"
          label=${text}
          locale=${locale}
          .value=${answer?.value ?? null}
          ?required=${q.required}
          .error=${invalid ? this.#message(q) : null}
          @change=${(e: Event) => this.#setAnswer(q, { value: (e.target as CrmNpsScale).value })}
        ></crm-nps-scale>
      </div>`;
    }
    if (q.kind === 'TEXT') {
      return html`<div class="question" part="question" data-q=${i}>
        <label class="question-text" part="question-text" for="q${i}">${text}${required}</label>
        <textarea
          id="q${i}"
          part="textarea"
          maxlength="10000"
          .value=${answer?.text ?? ''}
          ?required=${q.required}
          aria-invalid=${ariaInvalid}
          aria-describedby=${describedBy}
          @input=${(e: Event) => this.#setAnswer(q, { text: (e.target as HTMLTextAreaElement).value })}
        ></textarea>
        ${error}
      </div>`;
    }
    let options: TemplateResult[];
    if (q.kind === 'RATING') {
      const scale = q.scale ?? 5;
      options = Array.from({ length: scale }, (_, k) => k + 1).map(
        (n) => html`<label>
          <input
            type="radio"
            name="q${i}"
            value=${n}
            .checked=${answer?.value === n}
            ?required=${q.required}
            aria-invalid=${ariaInvalid}
            aria-describedby=${describedBy}
            @change=${() => this.#setAnswer(q, { value: n })}
          /><span>${n}</span>
        </label>`,
      );
    } else {
      const multi = q.kind === 'MULTI_CHOICE';
      const chosen = answer?.choiceIds ?? [];
      options = q.choices.map(
        (c) => html`<label class="choice">
          <input
            type=${multi ? 'checkbox' : 'radio'}
            name="q${i}"
            value=${c.id}
            .checked=${chosen.includes(c.id)}
            ?required=${q.required && !multi}
            aria-invalid=${ariaInvalid}
            aria-describedby=${describedBy}
            @change=${(e: Event) => {
              const on = (e.target as HTMLInputElement).checked;
              const ids = multi
                ? q.choices.map((x) => x.id).filter((id) => (id === c.id ? on : chosen.includes(id)))
                : [c.id];
              this.#setAnswer(q, { choiceIds: ids });
            }}
          /><span>${pick(c.text, locale)}</span>
        </label>`,
      );
    }
    return html`<fieldset class="question" part="question" data-q=${i}>
      <legend class="question-text" part="question-text">${text}${required}</legend>
      <div class=${q.kind === 'RATING' ? 'rating' : 'choices'}>${options}</div>
      ${error}
    </fieldset>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-feedback-form': CrmFeedbackForm;
  }
  interface GlobalEventHandlersEventMap {
    'crm-feedback-submit': CustomEvent<FeedbackSubmitDetail>;
    'crm-feedback-error': CustomEvent<FeedbackErrorDetail>;
  }
}
