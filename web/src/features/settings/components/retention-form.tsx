import { Button, Group, NumberInput, Stack, Switch } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import type { RuntimeSettings } from '@/types/api';

import { useUpdateSettings } from '../api/update-settings';

const MIN_DAYS = 1;
const MAX_DAYS = 3650;
const SUGGESTED_DAYS = 365;

/** How long stories are kept: forever, or deleted a number of days after they end (`readOnly`: shown, not changed). */
export function RetentionForm({ settings, readOnly = false }: { settings: RuntimeSettings; readOnly?: boolean }) {
  const { t } = useTranslation();
  const stored = settings.story_retention_days ?? null;
  const [limited, setLimited] = useState(stored !== null);
  const [days, setDays] = useState<number | string>(stored ?? SUGGESTED_DAYS);
  const [error, setError] = useState<string | null>(null);
  const updateSettings = useUpdateSettings({
    onSuccess: () => notifySuccess(t('settings.retention.saved')),
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!limited) {
      updateSettings.mutate({ story_retention_days: null });
      return;
    }
    const value = typeof days === 'number' ? days : Number.NaN;
    if (!Number.isInteger(value) || value < MIN_DAYS || value > MAX_DAYS) {
      setError(t('settings.retention.daysRange', { min: MIN_DAYS, max: MAX_DAYS }));
      return;
    }
    setError(null);
    updateSettings.mutate({ story_retention_days: value });
  }

  return (
    <form onSubmit={submit} aria-label={t('settings.retention.title')} noValidate>
      <Stack gap="md">
        <Switch
          label={t('settings.retention.limit')}
          description={t('settings.retention.limitHint')}
          checked={limited}
          onChange={(event) => setLimited(event.currentTarget.checked)}
          disabled={readOnly}
        />
        {limited && (
          <NumberInput
            label={t('settings.retention.days')}
            description={t('settings.retention.daysHint')}
            value={days}
            onChange={(value) => {
              setDays(value);
              setError(null);
            }}
            min={MIN_DAYS}
            max={MAX_DAYS}
            allowDecimal={false}
            allowNegative={false}
            error={error}
            maw={240}
            disabled={readOnly}
          />
        )}
        {!readOnly && (
          <Group justify="flex-end">
            <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={updateSettings.isPending}>
              {t('settings.retention.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
