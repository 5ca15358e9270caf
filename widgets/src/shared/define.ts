/** The widgets' release; bumped with package.json. Two different releases on one page is worth a warning. */
export const WIDGETS_VERSION = '0.1.0';

type Versioned = CustomElementConstructor & { crmVersion?: string };

/**
 * `customElements.define` that is harmless when a script is loaded twice (or both the all-in-one
 * script and a per-element module): the first definition wins, a different release only warns.
 */
export function defineElement(name: string, ctor: CustomElementConstructor): void {
  const existing = customElements.get(name) as Versioned | undefined;
  if (existing) {
    if (existing !== ctor && existing.crmVersion !== WIDGETS_VERSION) {
      console.warn(`<${name}> ${existing.crmVersion ?? 'unknown'} is already defined; ignoring ${WIDGETS_VERSION}`);
    }
    return;
  }
  (ctor as Versioned).crmVersion = WIDGETS_VERSION;
  customElements.define(name, ctor);
}
