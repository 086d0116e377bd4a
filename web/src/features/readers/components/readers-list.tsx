import { Alert, Button, Center, Loader, Paper, SimpleGrid, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { useReaders } from '../api/get-readers';

import { NewReader } from './new-reader';
import { ReaderCard } from './reader-card';

const EMPTY_ICON = '\u{1F9F8}'; // a teddy bear

/** Every reader as a card; a first run invites to create the first one. */
export function ReadersList() {
  const { t } = useTranslation();
  const readers = useReaders();

  if (readers.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('readers.list.loading')}</VisuallyHidden>
      </Center>
    );
  }

  if (readers.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('readers.list.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void readers.refetch()} loading={readers.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  if (readers.data.items.length === 0) {
    return (
      <Paper withBorder radius="md" p="xl" ta="center">
        <Stack align="center" gap="sm">
          <Text fz={40} aria-hidden>
            {EMPTY_ICON}
          </Text>
          <Title order={2} size="h3">
            {t('readers.empty.title')}
          </Title>
          <Text c="dimmed" maw={460}>
            {t('readers.empty.body')}
          </Text>
          <NewReader label={t('readers.empty.action')} size="md" />
        </Stack>
      </Paper>
    );
  }

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('readers.list.count', { count: readers.data.total })}
      </Text>
      <SimpleGrid
        component="ul"
        cols={{ base: 1, sm: 2 }}
        spacing="sm"
        p={0}
        m={0}
        style={{ listStyle: 'none' }}
        aria-label={t('readers.list.label')}
      >
        {readers.data.items.map((reader) => (
          <ReaderCard key={reader.id} reader={reader} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}
