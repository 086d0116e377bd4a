import { useTranslation } from 'react-i18next';

import { ComingSoon } from '@/components/ui/coming-soon';

export default function NewStoryRoute() {
  const { t } = useTranslation();
  return <ComingSoon title={t('pages.newStory.title')} description={t('pages.newStory.description')} />;
}
