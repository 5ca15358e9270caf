import { ContextProvider } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { widgetConfigContext, type WidgetConfig } from '../shared/config.js';

/**
 * @summary Shares endpoint, credentials and language with every Clientele widget inside it.
 *
 * Widgets inside read this configuration through @lit/context; their own attributes win.
 * It renders its children unchanged (`display: contents`).
 *
 * @slot - The widgets (and anything else) that share this configuration.
 */
export class CrmProvider extends LitElement {
  static override properties = {
    endpoint: { type: String },
    token: { type: String },
    publishableKey: { type: String, attribute: 'publishable-key' },
    locale: { type: String },
  };

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The GraphQL endpoint, e.g. `https://crm.example.com/graphql`. */
  declare endpoint?: string;
  /** A widget token minted by the partner's back end (card and badge). */
  declare token?: string;
  /** A publishable key (`pk_…`) for the feedback form. */
  declare publishableKey?: string;
  /** `en` or `zh-CN`. */
  declare locale?: string;

  private readonly _provider = new ContextProvider(this, { context: widgetConfigContext, initialValue: {} });

  /** The configuration currently shared. */
  get value(): WidgetConfig {
    return this._provider.value;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('endpoint') || changed.has('token') || changed.has('publishableKey') || changed.has('locale')) {
      this._provider.setValue({
        endpoint: this.endpoint || undefined,
        token: this.token || undefined,
        publishableKey: this.publishableKey || undefined,
        locale: this.locale || undefined,
      });
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
