import { lang, t } from '../i18n';
import { online } from '../net';
import type { ViewProps } from '../routes';
import { useStores } from '../store';
import { CreateSurvey } from './CreateSurvey';
import { SurveyDetail } from './SurveyDetail';
import { SurveyList } from './SurveyList';

/** 调查管理: surveys of the caller's scope (#/surveyadmin), a new one (…/new), one survey (…/<id>). */
export default function SurveyAdmin({ user, params }: ViewProps) {
  useStores(lang, online);
  const sid = params[0];
  return (
    <section data-testid="surveyadmin">
      {!online.get() && (
        <p class="banner warn" data-testid="surveyadmin-offline">
          {t('surveyAdmin.offline')}
        </p>
      )}
      {!sid && <SurveyList userId={user.id} />}
      {sid === 'new' && <CreateSurvey user={user} />}
      {sid && sid !== 'new' && <SurveyDetail key={sid} userId={user.id} sid={sid} />}
    </section>
  );
}
