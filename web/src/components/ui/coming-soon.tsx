import { Button, Group, Paper, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { ContentLayout } from '@/components/layouts/content-layout';
import { paths } from '@/config/paths';

/** A place that exists in the navigation but is not built yet. */
export function ComingSoon({ title, description }: { title: string; description: string }) {
  const { t } = useTranslation();
  return (
    <ContentLayout title={title}>
      <Paper withBorder p="lg" radius="md">
        <Text>{description}</Text>
        <Text c="dimmed" size="sm" mt="xs">
          {t('comingSoon.note')}
        </Text>
        <Group mt="md">
          <Button component={Link} to={paths.prompts.href()} variant="light">
            {t('comingSoon.toPrompts')}
          </Button>
        </Group>
      </Paper>
    </ContentLayout>
  );
}
