import { useTranslation } from 'react-i18next';

import { ComingSoon } from '@/components/ui/coming-soon';

export default function ReadersRoute() {
  const { t } = useTranslation();
  return <ComingSoon title={t('pages.readers.title')} description={t('pages.readers.description')} />;
}
