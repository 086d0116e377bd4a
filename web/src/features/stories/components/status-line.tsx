import { Group, Loader, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { wordMessage } from '@/lib/server-messages';

import type { LiveStory } from '../hooks/use-story-stream';

/** Where the story is, in plain words: waiting, writing, done, or what went wrong. */
export function StatusLine({ live }: { live: LiveStory }) {
  const { t } = useTranslation();
  const working = live.status === 'queued' || live.status === 'running';
  let message: string;
  if (live.status === 'queued') {
    message = live.queuePosition ? t('stories.status.waitingAhead', { count: live.queuePosition }) : t('stories.status.waiting');
  } else if (live.status === 'failed') {
    const reason = wordMessage(t, live.failureCode, live.failureParams, live.failureReason ?? '');
    message = reason ? t('stories.status.failedWhy', { reason }) : t('stories.status.failed');
  } else {
    message = t(`stories.status.${live.status}`);
  }
  if (working && live.reconnecting) message = t('stories.status.reconnecting');
  return (
    <Group gap="xs" role="status" aria-live="polite" data-testid="story-status" data-status={live.status}>
      {working && <Loader size="xs" type="dots" aria-hidden />}
      <Text c={live.status === 'failed' ? 'red' : 'dimmed'}>{message}</Text>
    </Group>
  );
}
