import { Alert, Button, Center, Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import { usePrompts } from '../api/get-prompts';

import { PromptCard } from './prompt-card';

/** The prompt library, newest first, with "load more" for the next page. */
export function PromptsList({ q = '' }: { q?: string }) {
  const { t } = useTranslation();
  const prompts = usePrompts({ q });

  if (prompts.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite">
        <Loader aria-hidden />
        <VisuallyHidden>{t('prompts.list.loading')}</VisuallyHidden>
      </Center>
    );
  }

  if (prompts.isError) {
    return (
      <Alert color="red" icon={<IconAlertCircle aria-hidden />} title={t('prompts.list.failed')}>
        <Button variant="light" color="red" mt="sm" onClick={() => void prompts.refetch()} loading={prompts.isFetching}>
          {t('common.retry')}
        </Button>
      </Alert>
    );
  }

  const items = prompts.data.pages.flatMap((page) => page.items);
  const total = prompts.data.pages[0]?.total ?? 0;

  if (items.length === 0) {
    return (
      <Text c="dimmed" py="lg" ta="center">
        {q.trim() ? t('prompts.list.noMatches', { q: q.trim() }) : t('prompts.list.empty')}
      </Text>
    );
  }

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" aria-live="polite">
        {items.length < total
          ? t('prompts.list.showing', { count: total, shown: items.length })
          : t('prompts.list.count', { count: total })}
      </Text>
      <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('prompts.list.label')}>
        {items.map((prompt) => (
          <PromptCard key={prompt.id} prompt={prompt} />
        ))}
      </Stack>
      {prompts.hasNextPage && (
        <Center>
          <Button
            variant="light"
            onClick={() => void prompts.fetchNextPage()}
            loading={prompts.isFetchingNextPage}
          >
            {t('prompts.list.loadMore')}
          </Button>
        </Center>
      )}
    </Stack>
  );
}
