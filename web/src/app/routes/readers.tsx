import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { ContentLayout } from '@/components/layouts/content-layout';
import { NewReader } from '@/features/readers/components/new-reader';
import { ReadersList } from '@/features/readers/components/readers-list';

export default function ReadersRoute() {
  const { t } = useTranslation();
  return (
    <ContentLayout title={t('readers.title')} actions={<NewReader />}>
      <Text c="dimmed">{t('readers.intro')}</Text>
      <ReadersList />
    </ContentLayout>
  );
}
