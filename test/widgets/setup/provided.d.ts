// What test/widgets/setup/global-setup.ts provides to the widget tests (read them with `inject`).
import 'vitest';

export interface WidgetsSeed {
  /** The GraphQL endpoint of the real Clientele server the tests talk to. */
  endpoint: string;
  /** The origin of the Vitest browser page (listed on the publishable key). */
  pageOrigin: string;
  /** Tenant A's currency (CNY). */
  currency: string;
  /** A customer with orders (metrics recomputed), interactions, an open case and an NPS response. */
  customer: { id: string; name: string; company: string; title: string };
  /** A customer with no orders, interactions, cases or responses. */
  emptyCustomer: { id: string; name: string };
  /** Publishable key allowed for pageOrigin. */
  publishableKey: string;
  /** A publishable key whose origins do not include pageOrigin. */
  foreignPublishableKey: string;
  /** Widget tokens (TTL one hour) for `customer` unless named otherwise. */
  tokens: {
    /** CUSTOMER_CARD + CHURN_BADGE. */
    card: string;
    /** CHURN_BADGE only. */
    badge: string;
    /** FEEDBACK only. */
    feedback: string;
    /** CUSTOMER_CARD + CHURN_BADGE, already expired. */
    expired: string;
    /** CUSTOMER_CARD + CHURN_BADGE for `emptyCustomer`. */
    emptyCard: string;
  };
  /** An ACTIVE NPS survey with an NPS question plus RATING, SINGLE_CHOICE, MULTI_CHOICE and TEXT questions. */
  survey: {
    id: string;
    questions: { id: string; kind: 'NPS' | 'RATING' | 'SINGLE_CHOICE' | 'MULTI_CHOICE' | 'TEXT'; required: boolean; choiceIds: string[] }[];
  };
  /** An ADMIN secret key (tests that check results over GraphQL from Node commands). */
  adminKey: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    widgets: WidgetsSeed;
  }
}
