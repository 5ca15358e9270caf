import axe from 'axe-core';
import { afterEach, describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import '../../widgets/src/nps-scale/index.js';
import type { CrmNpsScale } from '../../widgets/src/nps-scale/crm-nps-scale.js';

function mount(markup: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = markup;
  document.body.append(host);
  return host;
}

async function scaleIn(host: ParentNode, selector = 'crm-nps-scale'): Promise<CrmNpsScale> {
  const el = host.querySelector<CrmNpsScale>(selector)!;
  await el.updateComplete;
  return el;
}

const radios = (el: CrmNpsScale) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="radio"]')];
const focused = (el: CrmNpsScale) => radios(el).indexOf(el.shadowRoot!.activeElement as HTMLButtonElement);
const tabStops = (el: CrmNpsScale) => radios(el).flatMap((r, i) => (r.tabIndex === 0 ? [i] : []));
const checked = (el: CrmNpsScale) => radios(el).flatMap((r, i) => (r.getAttribute('aria-checked') === 'true' ? [i] : []));

async function press(el: CrmNpsScale, key: string): Promise<void> {
  await userEvent.keyboard(key);
  await el.updateComplete;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('<crm-nps-scale> rendering', () => {
  it('shows a radiogroup of eleven scores 0–10 with English end labels; only 0 is in the tab order', async () => {
    const el = await scaleIn(mount('<crm-nps-scale lang="en"></crm-nps-scale>'));
    const group = el.shadowRoot!.querySelector('[role="radiogroup"]')!;
    expect(group.getAttribute('aria-label')).toBe('How likely are you to recommend us? (0 to 10)');
    expect(radios(el).map((r) => r.textContent)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(el.shadowRoot!.querySelector('[part="labels"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      'Not at all likely Extremely likely',
    );
    // The end labels describe the end scores for screen readers.
    expect(el.shadowRoot!.getElementById(radios(el)[0].getAttribute('aria-describedby')!)!.textContent).toBe('Not at all likely');
    expect(el.shadowRoot!.getElementById(radios(el)[10].getAttribute('aria-describedby')!)!.textContent).toBe('Extremely likely');
    expect(tabStops(el)).toEqual([0]);
    expect(checked(el)).toEqual([]);
  });

  it('speaks Simplified Chinese from the closest lang, and the locale attribute overrides it', async () => {
    const host = mount('<section lang="zh-CN"><crm-nps-scale id="a"></crm-nps-scale><crm-nps-scale id="b" locale="en"></crm-nps-scale></section>');
    const zh = await scaleIn(host, '#a');
    const en = await scaleIn(host, '#b');
    expect(zh.shadowRoot!.querySelector('[part="labels"]')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('完全不可能 极有可能');
    expect(zh.shadowRoot!.querySelector('[role="radiogroup"]')!.getAttribute('aria-label')).toBe('您向他人推荐我们的可能性有多大？（0 到 10）');
    expect(en.shadowRoot!.querySelector('[part="labels"]')!.textContent).toContain('Not at all likely');
  });

  it('makes the chosen score (from the value attribute) the only tab stop', async () => {
    const el = await scaleIn(mount('<crm-nps-scale value="7" label="Recommend us?"></crm-nps-scale>'));
    expect(el.value).toBe(7);
    expect(checked(el)).toEqual([7]);
    expect(tabStops(el)).toEqual([7]);
    expect(radios(el)[7].getAttribute('part')).toBe('option selected');
    expect(el.shadowRoot!.querySelector('[role="radiogroup"]')!.getAttribute('aria-label')).toBe('Recommend us?');
  });
});

describe('<crm-nps-scale> keyboard', () => {
  it('Tab enters on 0, arrows move focus without selecting, Enter and Space select, Home/End jump, and it wraps', async () => {
    const host = mount('<button id="before">before</button><crm-nps-scale label="Score"></crm-nps-scale><button id="after">after</button>');
    const el = await scaleIn(host);
    const events: string[] = [];
    el.addEventListener('input', () => events.push(`input:${el.value}`));
    el.addEventListener('change', () => events.push(`change:${el.value}`));
    host.querySelector<HTMLButtonElement>('#before')!.focus();

    await press(el, '{Tab}');
    expect(focused(el)).toBe(0);
    await press(el, '{ArrowRight}');
    await press(el, '{ArrowRight}');
    await press(el, '{ArrowDown}');
    expect(focused(el)).toBe(3);
    expect(el.value).toBeNull();
    expect(events).toEqual([]);
    expect(tabStops(el)).toEqual([3]); // the roving tab stop follows focus

    await press(el, '{Enter}');
    expect(el.value).toBe(3);
    expect(checked(el)).toEqual([3]);
    expect(events).toEqual(['input:3', 'change:3']);

    await press(el, '{ArrowLeft}');
    await press(el, '{ArrowUp}');
    expect(focused(el)).toBe(1);
    await press(el, ' ');
    expect(el.value).toBe(1);

    await press(el, '{End}');
    expect(focused(el)).toBe(10);
    await press(el, '{ArrowRight}');
    expect(focused(el)).toBe(0);
    await press(el, '{ArrowLeft}');
    expect(focused(el)).toBe(10);
    await press(el, '{Home}');
    expect(focused(el)).toBe(0);
    expect(el.value).toBe(1);

    // Leaving the group puts the tab stop back on the chosen score; Shift+Tab comes back to it.
    await press(el, '{Tab}');
    expect(document.activeElement!.id).toBe('after');
    expect(tabStops(el)).toEqual([1]);
    await press(el, '{Shift>}{Tab}{/Shift}');
    expect(focused(el)).toBe(1);
    expect(events).toEqual(['input:3', 'change:3', 'input:1', 'change:1']);
  });

  it('selects with a click and does not fire change when the same score is chosen again', async () => {
    const el = await scaleIn(mount('<crm-nps-scale></crm-nps-scale>'));
    let changes = 0;
    el.addEventListener('change', () => changes++);
    await userEvent.click(radios(el)[9]);
    await userEvent.click(radios(el)[9]);
    await el.updateComplete;
    expect(el.value).toBe(9);
    expect(changes).toBe(1);
  });
});

describe('<crm-nps-scale> in a host page form', () => {
  it('blocks submission while required and empty, then submits its value in FormData', async () => {
    const host = mount(`<form>
      <label for="nps">Would you recommend us?</label>
      <crm-nps-scale id="nps" name="nps" required></crm-nps-scale>
      <button type="submit">Send</button>
    </form>`);
    const form = host.querySelector('form')!;
    const el = await scaleIn(host);
    const submitted: FormData[] = [];
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitted.push(new FormData(form));
    });

    expect(el.shadowRoot!.querySelector('[role="radiogroup"]')!.getAttribute('aria-label')).toBe('Would you recommend us?');
    expect(form.checkValidity()).toBe(false);
    expect(el.validity.valueMissing).toBe(true);
    expect(el.validationMessage).toBe('Please choose a score from 0 to 10.');
    await userEvent.click(host.querySelector('button[type="submit"]')!);
    expect(submitted).toHaveLength(0);

    await userEvent.click(radios(el)[9]);
    expect(form.checkValidity()).toBe(true);
    await userEvent.click(host.querySelector('button[type="submit"]')!);
    expect(submitted).toHaveLength(1);
    expect(submitted[0].get('nps')).toBe('9');
  });

  it('resets to its value attribute, is left out when its fieldset is disabled, and restores saved state', async () => {
    const host = mount(`<form><fieldset><crm-nps-scale name="score" value="5"></crm-nps-scale></fieldset></form>`);
    const form = host.querySelector('form')!;
    const fieldset = host.querySelector('fieldset')!;
    const el = await scaleIn(host);
    expect(new FormData(form).get('score')).toBe('5');

    await userEvent.click(radios(el)[2]);
    expect(new FormData(form).get('score')).toBe('2');
    form.reset();
    await el.updateComplete;
    expect(el.value).toBe(5);
    expect(checked(el)).toEqual([5]);

    fieldset.disabled = true;
    await el.updateComplete;
    expect(radios(el).every((r) => r.disabled)).toBe(true);
    expect(new FormData(form).has('score')).toBe(false);
    fieldset.disabled = false;
    await el.updateComplete;
    expect(radios(el).some((r) => r.disabled)).toBe(false);

    // What the browser hands back when restoring a page (back/forward, autofill).
    el.formStateRestoreCallback('8');
    await el.updateComplete;
    expect(new FormData(form).get('score')).toBe('8');
  });

  it('with the disabled attribute ignores clicks and is not submitted', async () => {
    const host = mount('<form><crm-nps-scale name="n" value="4" disabled></crm-nps-scale></form>');
    const el = await scaleIn(host);
    expect(radios(el).every((r) => r.disabled)).toBe(true);
    radios(el)[6].click();
    await el.updateComplete;
    expect(el.value).toBe(4);
    expect(new FormData(host.querySelector('form')!).has('n')).toBe(false);
  });
});

describe('<crm-nps-scale> accessibility', () => {
  it('has no axe-core violations, empty, chosen and with an error message', async () => {
    const host = mount(`<main lang="en">
      <crm-nps-scale label="How likely are you to recommend us?"></crm-nps-scale>
      <crm-nps-scale label="And your colleagues?" value="10"></crm-nps-scale>
      <crm-nps-scale label="Required score" required error="Please choose a score from 0 to 10."></crm-nps-scale>
    </main>`);
    const scales = [...host.querySelectorAll<CrmNpsScale>('crm-nps-scale')];
    await Promise.all(scales.map((s) => s.updateComplete));
    const invalid = scales[2].shadowRoot!.querySelector('[role="radiogroup"]')!;
    expect(invalid.getAttribute('aria-invalid')).toBe('true');
    expect(scales[2].shadowRoot!.getElementById(invalid.getAttribute('aria-describedby')!)!.textContent).toBe(
      'Please choose a score from 0 to 10.',
    );
    const results = await axe.run(host);
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`)).toEqual([]);
  });
});
