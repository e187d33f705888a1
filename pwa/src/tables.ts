import { lang, t } from './i18n';

/**
 * Wide tables at 360 px: every `.table-wrap` (any screen, console sections included) becomes a
 * focusable, labelled scroll region, and while its table is wider than the screen a visible
 * hint above it says it can be swiped sideways (edge shadows show which side has more).
 */
export function watchTables(root: HTMLElement): void {
  if (typeof ResizeObserver === 'undefined' || typeof MutationObserver === 'undefined') return;
  const seen = new WeakSet<Element>();
  const resized = new ResizeObserver((entries) => entries.forEach((e) => mark(e.target as HTMLElement)));
  const scan = () => {
    root.querySelectorAll<HTMLElement>('.table-wrap').forEach((el) => {
      if (seen.has(el)) return;
      seen.add(el);
      prepare(el);
      resized.observe(el);
      const table = el.querySelector('table');
      if (table) resized.observe(table);
    });
  };
  new MutationObserver(scan).observe(root, { childList: true, subtree: true });
  lang.subscribe(() => root.querySelectorAll<HTMLElement>('.table-wrap').forEach(mark));
  scan();
}

function prepare(el: HTMLElement): void {
  el.tabIndex = 0;
  el.setAttribute('role', 'region');
  el.addEventListener('scroll', () => mark(el), { passive: true });
  mark(el);
}

function mark(el: HTMLElement): void {
  const table = el.querySelector('table');
  const caption = table?.querySelector('caption')?.textContent?.trim();
  const heading = el.closest('.card, section')?.querySelector('h2, h1')?.textContent?.trim();
  el.setAttribute('aria-label', caption || heading || t('app.scrollHint'));
  const over = el.scrollWidth > el.clientWidth + 1;
  el.classList.toggle('overflowing', over);
  let hint = el.previousElementSibling as HTMLElement | null;
  if (!hint?.classList.contains('scroll-hint')) hint = null;
  if (over && !hint) {
    hint = document.createElement('p');
    hint.className = 'scroll-hint';
    hint.setAttribute('aria-hidden', 'true');
    el.before(hint);
  }
  if (hint) {
    hint.textContent = t('app.scrollHint');
    hint.hidden = !over;
  }
}
