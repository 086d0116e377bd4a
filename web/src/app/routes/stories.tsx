import { useTranslation } from 'react-i18next';

import { ComingSoon } from '@/components/ui/coming-soon';

export default function StoriesRoute() {
  const { t } = useTranslation();
  return <ComingSoon title={t('pages.stories.title')} description={t('pages.stories.description')} />;
}
