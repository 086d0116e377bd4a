import { Button, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { paths } from '@/config/paths';

export default function NotFoundRoute() {
  const { t } = useTranslation();
  return (
    <ContentLayout title={t('notFound.title')}>
      <Text>{t('notFound.body')}</Text>
      <div>
        <Button component={Link} to={paths.stories.href()} variant="light">
          {t('notFound.home')}
        </Button>
      </div>
    </ContentLayout>
  );
}
