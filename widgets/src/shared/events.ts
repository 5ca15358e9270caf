/** `crm-load`: a widget rendered data fetched from the server. */
export interface CrmLoadDetail {
  customerId: string;
}

/** `crm-error`: a widget could not load. `reason` is TOKEN_EXPIRED when the host must mint a new token. */
export interface CrmErrorDetail {
  code: string;
  reason?: string;
  retryable: boolean;
  message: string;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'crm-load': CustomEvent<CrmLoadDetail>;
    'crm-error': CustomEvent<CrmErrorDetail>;
  }
}
