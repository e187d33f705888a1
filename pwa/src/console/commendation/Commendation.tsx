import { lang } from '../../i18n';
import { href } from '../../router';
import type { ViewProps } from '../../routes';
import { useStores } from '../../store';
import { ct } from '../i18n';
import EligibilityList from './EligibilityList';
import RunAdmin from './RunAdmin';
import Runs from './Runs';
import UnitNominate from './UnitNominate';
import './commendation.css';

/**
 * 评优评先: the county's eligibility list and quota runs, and a township's nominations.
 * `#/console/commendation/{eligibility|runs|run/<id>}`.
 */
export default function Commendation({ user, params }: ViewProps) {
  useStores(lang);
  const admin = user.roles.includes('county_admin');
  const page = params[0] ?? (admin ? 'eligibility' : 'runs');
  const tabs: [string, string][] = [
    ['eligibility', ct('console.commendation.tabEligibility')],
    ['runs', admin ? ct('console.commendation.tabRuns') : ct('console.commendation.tabUnit')],
  ];
  return (
    <section class="commendation" data-testid="commendation">
      <div class="segments" role="tablist">
        {tabs.map(([name, label]) => (
          <a
            key={name}
            role="tab"
            class={page === name || (page === 'run' && name === 'runs') ? 'seg on' : 'seg'}
            aria-selected={page === name}
            href={href('console', 'commendation', name)}
            data-testid={`comm-tab-${name}`}
          >
            {label}
          </a>
        ))}
      </div>
      {page === 'eligibility' && <EligibilityList user={user} admin={admin} />}
      {page === 'runs' && <Runs user={user} admin={admin} />}
      {page === 'run' && params[1] && (admin ? <RunAdmin user={user} runId={params[1]} /> : <UnitNominate user={user} runId={params[1]} />)}
    </section>
  );
}
