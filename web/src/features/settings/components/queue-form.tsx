import { Button, Group, NumberInput, Stack, Switch } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import type { RuntimeSettings } from '@/types/api';

import { useUpdateSettings } from '../api/update-settings';

const MIN_STORIES = 1;
const MAX_STORIES = 1000;

type Field = 'max_stories_per_account' | 'max_queued_stories';

function wholeNumberInRange(value: number | string): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_STORIES && value <= MAX_STORIES;
}

/** How many stories may wait to be written: per family, and in all (`readOnly`: shown, not changed). */
export function QueueForm({ settings, readOnly = false }: { settings: RuntimeSettings; readOnly?: boolean }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, number | string>>({
    max_stories_per_account: settings.max_stories_per_account,
    max_queued_stories: settings.max_queued_stories,
  });
  const [resume, setResume] = useState(settings.resume_stories);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const updateSettings = useUpdateSettings({
    onSuccess: () => notifySuccess(t('settings.queue.saved')),
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const perAccount = values.max_stories_per_account;
    const inAll = values.max_queued_stories;
    const range = t('settings.queue.range', { min: MIN_STORIES, max: MAX_STORIES });
    const found: Partial<Record<Field, string>> = {};
    if (!wholeNumberInRange(perAccount)) found.max_stories_per_account = range;
    if (!wholeNumberInRange(inAll)) found.max_queued_stories = range;
    setErrors(found);
    if (!wholeNumberInRange(perAccount) || !wholeNumberInRange(inAll)) return;
    updateSettings.mutate({
      max_stories_per_account: perAccount,
      max_queued_stories: inAll,
      resume_stories: resume,
    });
  }

  function input(field: Field, label: string, hint: string) {
    return (
      <NumberInput
        label={label}
        description={hint}
        value={values[field]}
        onChange={(value) => {
          setValues((current) => ({ ...current, [field]: value }));
          setErrors((current) => ({ ...current, [field]: undefined }));
        }}
        min={MIN_STORIES}
        max={MAX_STORIES}
        allowDecimal={false}
        allowNegative={false}
        error={errors[field]}
        maw={240}
        disabled={readOnly}
      />
    );
  }

  return (
    <form onSubmit={submit} aria-label={t('settings.queue.title')} noValidate>
      <Stack gap="md">
        {input('max_stories_per_account', t('settings.queue.perAccount'), t('settings.queue.perAccountHint'))}
        {input('max_queued_stories', t('settings.queue.inAll'), t('settings.queue.inAllHint'))}
        <Switch
          label={t('settings.queue.resume')}
          description={t('settings.queue.resumeHint')}
          checked={resume}
          onChange={(event) => setResume(event.currentTarget.checked)}
          disabled={readOnly}
        />
        {!readOnly && (
          <Group justify="flex-end">
            <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={updateSettings.isPending}>
              {t('settings.queue.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
