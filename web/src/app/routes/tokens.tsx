import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { ContentLayout } from '@/components/layouts/content-layout';
import { TokensPanel } from '@/features/tokens/components/tokens-panel';

export default function TokensRoute() {
  const { t } = useTranslation();
  return (
    <ContentLayout title={t('tokens.title')}>
      <Text c="dimmed">{t('tokens.intro')}</Text>
      <TokensPanel />
    </ContentLayout>
  );
}
