import { Button, Group, SegmentedControl, Text } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import type { useReadAloud } from '../hooks/use-read-aloud';

const RATES = ['0.8', '1', '1.2'];

/** Play/pause, stop and the reading speed. */
export function ReadAloudControls({ speech }: { speech: ReturnType<typeof useReadAloud> }) {
  const { t } = useTranslation();
  return (
    <Group gap="sm" data-testid="read-aloud">
      {speech.state === 'speaking' ? (
        <Button variant="light" leftSection={<IconPlayerPause size={16} aria-hidden />} onClick={speech.pause}>
          {t('stories.readAloud.pause')}
        </Button>
      ) : (
        <Button variant="light" leftSection={<IconPlayerPlay size={16} aria-hidden />} onClick={speech.play}>
          {speech.state === 'paused' ? t('stories.readAloud.resume') : t('stories.readAloud.play')}
        </Button>
      )}
      {speech.state !== 'idle' && (
        <Button variant="subtle" leftSection={<IconPlayerStop size={16} aria-hidden />} onClick={speech.stop}>
          {t('stories.readAloud.stop')}
        </Button>
      )}
      <Text size="sm" c="dimmed" id="read-aloud-speed">
        {t('stories.readAloud.speed')}
      </Text>
      <SegmentedControl
        size="xs"
        aria-labelledby="read-aloud-speed"
        value={String(speech.rate)}
        onChange={(value) => speech.setRate(Number(value))}
        data={RATES.map((rate) => ({ value: rate, label: t(`stories.readAloud.rate.${rate.replace('.', '_')}`) }))}
      />
    </Group>
  );
}
