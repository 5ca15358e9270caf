import { html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { resolveLocale, translator, type Locale } from '../shared/i18n.js';
import { baseStyles } from '../shared/styles.js';
import { npsMessages } from './nps-scale.messages.js';
import { npsScaleStyles } from './nps-scale.styles.js';

const SCORES = Array.from({ length: 11 }, (_, i) => i);

/** A score 0..10 from an attribute or property value; anything else means "no answer". */
function toScore(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isInteger(n) && n >= 0 && n <= 10 ? n : null;
}

/**
 * A 0–10 "How likely are you to recommend us?" scale that behaves like a native form control.
 *
 * It is form-associated: inside a host page's own `<form>` its `name` and score appear in `FormData`,
 * `required` blocks submission until a score is chosen, and form reset, `<fieldset disabled>` and
 * back/forward restore work as they do for `<input>`. Keyboard: Tab reaches the group once;
 * Left/Up and Right/Down move focus (wrapping), Home/End jump to 0/10, Enter or Space selects.
 *
 * @summary Form-associated 0–10 NPS scale (a roving radio group).
 *
 * @attr name - The form field name.
 * @attr value - The initial (and reset) score, 0–10; the `value` property is the current score or null.
 * @attr required - A score must be chosen before the form submits.
 * @attr disabled - Not focusable, not submitted.
 * @attr locale - `en` or `zh-CN`; defaults to the closest `lang`.
 * @attr label - The group's accessible name (defaults to a `<label for>` pointing at it, then a generic question).
 * @attr error - A validation message to show under the scale (sets aria-invalid and aria-describedby).
 *
 * @fires input - A score was chosen (bubbles, composed), like `<input>`.
 * @fires change - A score was chosen (bubbles), like `<input>`.
 *
 * @csspart group - The radiogroup.
 * @csspart options - The row of eleven buttons.
 * @csspart option - Each score button (the chosen one also has part `selected`).
 * @csspart selected - The chosen score button.
 * @csspart labels - The "Not at all likely" / "Extremely likely" row.
 * @csspart error - The validation message.
 *
 * @cssproperty --crm-font-family - Font family.
 * @cssproperty --crm-color-text - Text colour.
 * @cssproperty --crm-color-muted - Colour of the end labels.
 * @cssproperty --crm-color-surface - Button background.
 * @cssproperty --crm-color-border - Button border.
 * @cssproperty --crm-color-primary - Chosen button background and hover border.
 * @cssproperty --crm-color-on-primary - Chosen button text.
 * @cssproperty --crm-color-focus - Focus ring.
 * @cssproperty --crm-color-danger - Error text and invalid borders.
 * @cssproperty --crm-radius - Button corner radius.
 * @cssproperty --crm-nps-size - Minimum button width and height (default 2.75rem, a comfortable touch target).
 * @cssproperty --crm-nps-gap - Space between buttons.
 */
export class CrmNpsScale extends LitElement {
  static formAssociated = true;
  static override styles = [baseStyles, npsScaleStyles];
  static override properties: PropertyDeclarations = {
    name: { type: String, reflect: true },
    value: { noAccessor: true, converter: (v: string | null) => toScore(v) },
    required: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
    locale: { type: String },
    label: { type: String },
    error: { type: String },
    _formDisabled: { state: true },
    _focused: { state: true },
  };

  /** The form field name. */
  declare name: string | null;
  /** A score must be chosen before the host form submits. */
  declare required: boolean;
  /** Disabled by its own attribute (a disabled `<fieldset>` disables it too). */
  declare disabled: boolean;
  /** `en` or `zh-CN`; defaults to the closest `lang`. */
  declare locale: string | null;
  /** The group's accessible name. */
  declare label: string | null;
  /** A validation message shown under the scale. */
  declare error: string | null;
  declare private _formDisabled: boolean;
  /** The button that holds the roving tab stop while focus is inside the group. */
  declare private _focused: number | null;

  readonly #internals: ElementInternals;
  #value: number | null = null;

  constructor() {
    super();
    this.#internals = this.attachInternals();
    this.name = null;
    this.required = false;
    this.disabled = false;
    this.locale = null;
    this.label = null;
    this.error = null;
    this._formDisabled = false;
    this._focused = null;
  }

  /** The chosen score (0–10), or null. Setting it does not fire events (like `<input>`). */
  get value(): number | null {
    return this.#value;
  }
  set value(v: number | string | null) {
    const old = this.#value;
    this.#value = toScore(v);
    this.#syncForm();
    this.requestUpdate('value', old);
  }

  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }
  get labels(): NodeList {
    return this.#internals.labels;
  }
  get validity(): ValidityState {
    return this.#internals.validity;
  }
  get validationMessage(): string {
    return this.#internals.validationMessage;
  }
  get willValidate(): boolean {
    return this.#internals.willValidate;
  }
  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }
  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  /** Focuses the chosen score (or 0), the group's tab stop. */
  override focus(options?: FocusOptions): void {
    const stop = this.#buttons()[this.#tabStop()];
    if (stop) stop.focus(options);
    else super.focus(options);
  }

  formResetCallback(): void {
    this.value = this.getAttribute('value');
  }
  formDisabledCallback(disabled: boolean): void {
    this._formDisabled = disabled;
  }
  formStateRestoreCallback(state: string | File | FormData | null): void {
    this.value = typeof state === 'string' ? state : null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#syncForm();
  }

  protected override updated(): void {
    // Again after rendering: the locale may have changed the message, and the anchor now exists.
    this.#syncForm();
  }

  get #locale(): Locale {
    return resolveLocale(this, this.locale);
  }

  get #isDisabled(): boolean {
    return this.disabled || this._formDisabled;
  }

  #buttons(): HTMLButtonElement[] {
    return this.renderRoot ? [...this.renderRoot.querySelectorAll<HTMLButtonElement>('button')] : [];
  }

  /** Exactly one button is in the tab order: the focused one while focus is inside, else the chosen one, else 0. */
  #tabStop(): number {
    return this._focused ?? this.#value ?? 0;
  }

  #syncForm(): void {
    const t = translator(npsMessages, this.#locale);
    this.#internals.setFormValue(this.#value === null ? null : String(this.#value));
    if (this.required && this.#value === null) {
      this.#internals.setValidity({ valueMissing: true }, t('required'), this.#buttons()[0]);
    } else {
      this.#internals.setValidity({});
    }
  }

  #select(score: number): void {
    if (this.#isDisabled || score === this.#value) return;
    this.value = score;
    this._focused = score;
    this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    this.dispatchEvent(new Event('change', { bubbles: true }));
  }

  #onKeydown(event: KeyboardEvent): void {
    const buttons = this.#buttons();
    const current = buttons.indexOf(event.target as HTMLButtonElement);
    if (current < 0) return;
    let next: number;
    switch (event.key) {
      case 'ArrowLeft':
      case 'ArrowUp':
        next = (current + 10) % 11;
        break;
      case 'ArrowRight':
      case 'ArrowDown':
        next = (current + 1) % 11;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = 10;
        break;
      default:
        return; // Enter and Space activate the focused <button> natively (a click).
    }
    event.preventDefault();
    this._focused = next;
    buttons[next].focus();
  }

  #onFocusIn(event: FocusEvent): void {
    const index = this.#buttons().indexOf(event.target as HTMLButtonElement);
    if (index >= 0) this._focused = index;
  }

  #onFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (!to || !this.renderRoot.contains(to)) this._focused = null;
  }

  #accessibleName(t: (k: 'group') => string): string {
    if (this.label) return this.label;
    const fromLabels = [...this.#internals.labels].map((l) => l.textContent?.trim() ?? '').filter(Boolean).join(' ');
    return fromLabels || t('group');
  }

  protected override render() {
    const locale = this.#locale;
    const t = translator(npsMessages, locale);
    const disabled = this.#isDisabled;
    const stop = this.#tabStop();
    const invalid = !!this.error;
    return html`
      <div
        part="group"
        lang=${locale}
        class=${invalid ? 'invalid' : ''}
        role="radiogroup"
        aria-label=${this.#accessibleName(t)}
        aria-required=${this.required ? 'true' : 'false'}
        aria-invalid=${invalid ? 'true' : 'false'}
        aria-disabled=${disabled ? 'true' : 'false'}
        aria-describedby=${invalid ? 'error' : nothing}
        @keydown=${this.#onKeydown}
        @focusin=${this.#onFocusIn}
        @focusout=${this.#onFocusOut}
      >
        <div part="options" class="options">
          ${SCORES.map(
            (score) => html`<button
              type="button"
              role="radio"
              part=${score === this.#value ? 'option selected' : 'option'}
              aria-checked=${score === this.#value ? 'true' : 'false'}
              aria-describedby=${score === 0 ? 'low' : score === 10 ? 'high' : nothing}
              tabindex=${score === stop ? '0' : '-1'}
              ?disabled=${disabled}
              @click=${() => this.#select(score)}
            >${score}</button>`,
          )}
        </div>
        <div part="labels" class="labels">
          <span id="low">${t('low')}</span>
          <span id="high">${t('high')}</span>
        </div>
        ${invalid ? html`<p id="error" part="error" class="error">${this.error}</p>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-nps-scale': CrmNpsScale;
  }
}
