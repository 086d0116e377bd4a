import { Group, Loader, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

import { wordMessage } from '@/lib/server-messages';

import type { LiveStory } from '../hooks/use-story-stream';

/** About how long a wait is, in words: "less than a minute", "about 3 minutes", "about 2 hours". */
function waitWords(t: TFunction, seconds: number): string {
  if (seconds < 60) return t('stories.status.wait.underMinute');
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return t('stories.status.wait.minutes', { count: minutes });
  return t('stories.status.wait.hours', { count: Math.round(minutes / 60) });
}

function waitingMessage(t: TFunction, live: LiveStory): string {
  if (!live.queuePosition) return t('stories.status.waiting');
  if (live.waitSeconds === null) return t('stories.status.waitingAhead', { count: live.queuePosition });
  return t('stories.status.waitingAheadFor', { count: live.queuePosition, wait: waitWords(t, live.waitSeconds) });
}

/** Where the story is, in plain words: waiting (how many ahead, about how long), writing, done, or what went wrong. */
export function StatusLine({ live }: { live: LiveStory }) {
  const { t } = useTranslation();
  const working = live.status === 'queued' || live.status === 'running';
  let message: string;
  if (live.status === 'queued') {
    message = waitingMessage(t, live);
  } else if (live.status === 'failed') {
    const reason = wordMessage(t, live.failureCode, live.failureParams, live.failureReason ?? '');
    message = reason ? t('stories.status.failedWhy', { reason }) : t('stories.status.failed');
  } else {
    message = t(`stories.status.${live.status}`);
  }
  // The server writing it stopped, and the story goes on from its text: say so while it does.
  if (working && live.resumes > 0) message = `${t('stories.status.resumed')} ${message}`;
  if (working && live.reconnecting) message = t('stories.status.reconnecting');
  return (
    <Group gap="xs" role="status" aria-live="polite" data-testid="story-status" data-status={live.status}>
      {working && <Loader size="xs" type="dots" aria-hidden />}
      <Text c={live.status === 'failed' ? 'red' : 'dimmed'}>{message}</Text>
    </Group>
  );
}
