import { Button } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { paths } from '@/config/paths';
import { StoriesLibrary } from '@/features/stories/components/stories-library';

export default function StoriesRoute() {
  const { t } = useTranslation();
  return (
    <ContentLayout
      title={t('pages.stories.title')}
      actions={
        <Button component={Link} to={paths.newStory.href()} leftSection={<IconPlus size={16} aria-hidden />}>
          {t('stories.library.newStory')}
        </Button>
      }
    >
      <StoriesLibrary />
    </ContentLayout>
  );
}
