import { Button, Group, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

import { isTone, TONES } from '@/lib/tones';
import { notifySuccess } from '@/lib/notify';
import type { ReaderLanguage, RuntimeSettings, StoryLength } from '@/types/api';

import { useUpdateSettings } from '../api/update-settings';

const LENGTHS: StoryLength[] = ['short', 'medium', 'long'];
const LANGUAGES: ReaderLanguage[] = ['en', 'ja'];

/** The tones to choose from, worded; a tone stored as a word by an older version shows as it is. */
function toneChoices(t: TFunction, stored: string): { value: string; label: string }[] {
  const choices = TONES.map((value) => ({ value, label: t(`tones.${value}`) }));
  return (TONES as readonly string[]).includes(stored) ? choices : [{ value: stored, label: stored }, ...choices];
}

/** The defaults of a new story for every account: engine, length, tone and language (the admin's). */
export function DefaultsForm({ settings }: { settings: RuntimeSettings }) {
  const { t } = useTranslation();
  const [engine, setEngine] = useState(settings.default_engine);
  const [length, setLength] = useState<StoryLength>(settings.default_length);
  const [tone, setTone] = useState(settings.default_tone);
  const [language, setLanguage] = useState<ReaderLanguage>(settings.default_language);
  const updateSettings = useUpdateSettings({
    onSuccess: () => notifySuccess(t('settings.defaults.saved')),
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    updateSettings.mutate({
      default_engine: engine,
      default_length: length,
      // An older free word stays as it is unless another tone is chosen.
      ...(tone !== settings.default_tone && isTone(tone) ? { default_tone: tone } : {}),
      default_language: language,
    });
  }

  return (
    <form onSubmit={submit} aria-label={t('settings.defaults.title')} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <Select
            label={t('settings.defaults.engine')}
            value={engine}
            onChange={(value) => {
              if (value) setEngine(value);
            }}
            data={Object.keys(settings.engines)}
            allowDeselect={false}
          />
          <Select
            label={t('settings.defaults.tone')}
            description={t('settings.defaults.toneHint')}
            value={tone}
            onChange={(value) => {
              if (value) setTone(value);
            }}
            data={toneChoices(t, settings.default_tone)}
            allowDeselect={false}
          />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="default-length-label">
            {t('settings.defaults.length')}
          </Text>
          <SegmentedControl
            aria-labelledby="default-length-label"
            value={length}
            onChange={(value) => setLength(value as StoryLength)}
            data={LENGTHS.map((value) => ({ value, label: t(`settings.lengths.${value}`) }))}
            style={{ alignSelf: 'flex-start' }}
          />
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="default-language-label">
            {t('settings.defaults.language')}
          </Text>
          <SegmentedControl
            aria-labelledby="default-language-label"
            value={language}
            onChange={(value) => setLanguage(value as ReaderLanguage)}
            data={LANGUAGES.map((lng) => ({ value: lng, label: <span lang={lng}>{t(`languages.${lng}`, { lng })}</span> }))}
            style={{ alignSelf: 'flex-start' }}
          />
        </Stack>
        <Group justify="flex-end">
          <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={updateSettings.isPending}>
            {t('settings.defaults.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
