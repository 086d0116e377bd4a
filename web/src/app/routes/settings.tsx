import { useTranslation } from 'react-i18next';

import { ComingSoon } from '@/components/ui/coming-soon';

export default function SettingsRoute() {
  const { t } = useTranslation();
  return <ComingSoon title={t('pages.settings.title')} description={t('pages.settings.description')} />;
}
