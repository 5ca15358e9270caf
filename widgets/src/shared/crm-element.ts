import { ContextConsumer } from '@lit/context';
import { LitElement, type PropertyDeclarations } from 'lit';
import { defaultEndpoint, widgetConfigContext, type WidgetConfig } from './config.js';
import { resolveLocale, type Locale } from './i18n.js';

/**
 * Base class of every Clientele widget: reads the nearest `<crm-provider>`'s configuration through
 * @lit/context and lets the element's own `endpoint`, `token`, `publishable-key` and `locale`
 * attributes override it.
 *
 * Subclasses declare reactive properties with `static properties` and `declare` fields (no
 * decorators), and dispatch events through `emit()` (bubbling, composed).
 */
export class CrmElement extends LitElement {
  static override properties: PropertyDeclarations = {
    endpoint: { type: String, reflect: false },
    token: { type: String },
    publishableKey: { type: String, attribute: 'publishable-key' },
    locale: { type: String, noAccessor: true },
  };

  /** The GraphQL endpoint; defaults to the provider's, then `/graphql` on the script's origin. */
  declare endpoint?: string;
  /** A widget token; overrides the provider's. */
  declare token?: string;
  /** A publishable key; overrides the provider's. */
  declare publishableKey?: string;

  private _locale?: string | null;
  private _provided: WidgetConfig = {};

  constructor() {
    super();
    let answered = false;
    const consumer = new ContextConsumer(this, {
      context: widgetConfigContext,
      subscribe: true,
      callback: (value) => {
        answered = true;
        this._provided = value ?? {};
        this.requestUpdate();
        this.configChanged();
      },
    });
    // Per-element modules load in any order: when <crm-provider> is defined after this element
    // connected, nobody answered its request yet, so ask again (cheaper than a ContextRoot).
    if (!customElements.get('crm-provider')) {
      void customElements.whenDefined('crm-provider').then(() => {
        if (!answered && this.isConnected) consumer.hostConnected();
      });
    }
  }

  /** `en` or `zh-CN`: the `locale` attribute, the provider's, then `lang` around the element, then the browser. */
  get locale(): Locale {
    return resolveLocale(this, this._locale ?? this._provided.locale);
  }
  set locale(value: string | null | undefined) {
    const old = this._locale;
    this._locale = value;
    this.requestUpdate('locale', old);
  }

  /** The effective configuration: own attributes over the provider's, with a default endpoint. */
  protected get config(): Required<Pick<WidgetConfig, 'endpoint'>> & WidgetConfig {
    const p = this._provided;
    return {
      endpoint: this.endpoint || p.endpoint || defaultEndpoint,
      token: this.token || p.token || undefined,
      publishableKey: this.publishableKey || p.publishableKey || undefined,
      locale: this.locale,
    };
  }

  /** Called when the provider's configuration arrives or changes (subclasses may refetch). */
  protected configChanged(): void {}

  /** Dispatches a bubbling, composed CustomEvent and returns it. */
  protected emit<T>(type: string, detail: T): CustomEvent<T> {
    const event = new CustomEvent<T>(type, { detail, bubbles: true, composed: true });
    this.dispatchEvent(event);
    return event;
  }
}
