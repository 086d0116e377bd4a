import { Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { ReaderLanguage } from '@/types/api';

function isReaderLanguage(code: string): code is ReaderLanguage {
  return code === 'en' || code === 'ja';
}

/** Asks which languages a model writes before it becomes an engine; English is ticked to begin with. */
export function LanguageChoice({
  label,
  confirm,
  pending,
  onConfirm,
  onCancel,
}: {
  label: string;
  confirm: string;
  pending: boolean;
  onConfirm: (languages: ReaderLanguage[]) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [languages, setLanguages] = useState<string[]>(['en']);
  return (
    <Stack gap="xs" role="group" aria-label={label}>
      <Checkbox.Group label={t('settings.better.whichLanguages')} value={languages} onChange={setLanguages}>
        <Group gap="md" mt={6}>
          <Checkbox value="en" label={<span lang="en">{t('languages.en', { lng: 'en' })}</span>} />
          <Checkbox value="ja" label={<span lang="ja">{t('languages.ja', { lng: 'ja' })}</span>} />
        </Group>
      </Checkbox.Group>
      <Text size="xs" c="dimmed">
        {t('settings.better.languagesHint')}
      </Text>
      <Group gap="xs">
        <Button size="xs" onClick={() => onConfirm(languages.filter(isReaderLanguage))} disabled={languages.length === 0} loading={pending}>
          {confirm}
        </Button>
        <Button size="xs" variant="subtle" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      </Group>
    </Stack>
  );
}
