import { createContext } from '@lit/context';

/** What every widget needs to talk to Clientele; shared by `<crm-provider>`, overridden per element. */
export interface WidgetConfig {
  /** The GraphQL endpoint, e.g. `https://crm.example.com/graphql`. */
  endpoint?: string;
  /** A widget token (JWT) minted by the partner's back end. */
  token?: string;
  /** A publishable key (`pk_…`) bound to the page's origin. */
  publishableKey?: string;
  /** `en` or `zh-CN` (anything starting with `zh` means Simplified Chinese). */
  locale?: string;
}

export const widgetConfigContext = createContext<WidgetConfig>(Symbol.for('clientele.widget-config'));

/**
 * Where the widgets talk when no endpoint is given: `/graphql` on the origin that served this script
 * (the server serves the bundles under `/widgets/`), else the page's own origin.
 */
export const defaultEndpoint: string = (() => {
  let base = '';
  try {
    base = (document.currentScript as HTMLScriptElement | null)?.src || import.meta.url || '';
  } catch {
    // import.meta is unavailable in the IIFE build; currentScript covers that case.
  }
  try {
    return new URL('/graphql', base || location.href).href;
  } catch {
    return '/graphql';
  }
})();
