import { useTranslation } from 'react-i18next';

import { ContentLayout } from '@/components/layouts/content-layout';
import { NewStoryForm } from '@/features/stories/components/new-story-form';

export default function NewStoryRoute() {
  const { t } = useTranslation();
  return (
    <ContentLayout title={t('pages.newStory.title')}>
      <NewStoryForm />
    </ContentLayout>
  );
}
