export { WidgetCustomerResolver, WidgetResolver } from './widget.resolver.js';
export * from './widget.types.js';
