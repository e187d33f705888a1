import { Lazy } from '../lazy';
import { lang } from '../i18n';
import { online } from '../net';
import { href } from '../router';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { ct } from './i18n';
import { sectionsFor } from './sections';
import './console.css';

/**
 * 管理台: the county admin's desk and the township reviewer's phone. Sections sit in a side
 * pane at desk width and in a scrolling strip above the content on a phone.
 */
export default function Console({ user, params }: ViewProps) {
  useStores(lang, online);
  const sections = sectionsFor(user.roles);
  const current = sections.find((s) => s.name === params[0]) ?? sections[0];
  return (
    <div class="console">
      <nav class="console-nav" aria-label={ct('console.sections')}>
        {sections.map((s) => (
          <a
            key={s.name}
            href={href('console', s.name)}
            class={s === current ? 'console-link active' : 'console-link'}
            aria-current={s === current ? 'page' : undefined}
            data-testid={`console-nav-${s.name}`}
          >
            {ct(s.label)}
          </a>
        ))}
      </nav>
      <div class="console-main">
        {!online.get() && (
          <p class="banner warn" role="status" data-testid="console-offline">
            {ct('console.offline')}
          </p>
        )}
        {current ? (
          <Lazy load={current.load} props={{ user, params: params.slice(1) }} key={current.name} />
        ) : (
          <p class="muted">{ct('console.pick')}</p>
        )}
      </div>
    </div>
  );
}
