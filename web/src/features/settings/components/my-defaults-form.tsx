import { Button, Group, Select, SimpleGrid } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess } from '@/lib/notify';
import { TONES } from '@/lib/tones';
import type { RuntimeSettings } from '@/types/api';

import { useUpdateMyDefaults, type AccountDefaults } from '../api/my-defaults';

// The choice "as Storybot's default": a value no engine, length, tone or language can have.
const GLOBAL = ':global';

type Field = keyof AccountDefaults;
const FIELDS: Field[] = ['default_engine', 'default_length', 'default_tone', 'default_language'];

/** The account's own defaults for new stories; each one can follow the admin's global setting. */
export function MyDefaultsForm({ mine, settings }: { mine: AccountDefaults; settings: RuntimeSettings }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>(() => ({
    default_engine: mine.default_engine ?? GLOBAL,
    default_length: mine.default_length ?? GLOBAL,
    default_tone: mine.default_tone ?? GLOBAL,
    default_language: mine.default_language ?? GLOBAL,
  }));
  const update = useUpdateMyDefaults({ onSuccess: () => notifySuccess(t('settings.mine.saved')) });

  const word: Record<Field, (value: string) => string> = {
    default_engine: (value) => value,
    default_length: (value) => t(`settings.lengths.${value}`),
    default_tone: (value) => t(`tones.${value}`, { defaultValue: value }),
    default_language: (value) => t(`languages.${value}`),
  };
  const choices: Record<Field, string[]> = {
    default_engine: Object.keys(settings.engines),
    default_length: ['short', 'medium', 'long'],
    default_tone: [...TONES],
    default_language: ['en', 'ja'],
  };

  function data(field: Field) {
    const global = t('settings.mine.follow', { value: word[field](settings[field]) });
    return [{ value: GLOBAL, label: global }, ...choices[field].map((value) => ({ value, label: word[field](value) }))];
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const patch = Object.fromEntries(FIELDS.map((field) => [field, values[field] === GLOBAL ? null : values[field]]));
    update.mutate(patch);
  }

  return (
    <form onSubmit={submit} aria-label={t('settings.mine.title')} noValidate>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        {FIELDS.map((field) => (
          <Select
            key={field}
            label={t(`settings.mine.fields.${field}`)}
            value={values[field]}
            onChange={(value) => {
              if (value) setValues((current) => ({ ...current, [field]: value }));
            }}
            data={data(field)}
            allowDeselect={false}
          />
        ))}
      </SimpleGrid>
      <Group justify="flex-end" mt="md">
        <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={update.isPending}>
          {t('settings.mine.save')}
        </Button>
      </Group>
    </form>
  );
}
