import { Button, Group, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type ReactNode, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifyWarning } from '@/lib/notify';
import { wordDetail } from '@/lib/server-messages';
import type { ReaderCreate } from '@/types/api';

import {
  FROM_AGE,
  FURIGANA_MODES,
  KANJI_GRADES,
  LIST_FIELDS,
  MAX_ITEMS,
  MAX_NAME,
  READER_LANGUAGES,
  READING_LEVELS,
  toPayload,
  validateReader,
  type FieldErrors,
  type ReaderField,
  type ReaderFormValues,
} from './reader-form-values';

// Emoji and separators are symbols, not words to translate.
const AVATAR_CHOICES = ['🦊', '🐻', '🐰', '🦄', '🐸', '🚀', '🌟', '🦕'];
const TAG_SEPARATORS = [',', '\u3001']; // a comma, and the Japanese one

type ReaderFormProps = {
  initialValues: ReaderFormValues;
  submitLabel: string;
  pending: boolean;
  /** Problems the server found, by field (from a 422 answer). */
  serverErrors?: FieldErrors | null;
  onSubmit: (payload: ReaderCreate) => void;
  /** Shown at the start of the buttons' row (a delete button, say). */
  extraActions?: ReactNode;
  formLabel: string;
};

/** Every field of a reader, checked before sending; used to add one and to edit one. */
export function ReaderForm({
  initialValues,
  submitLabel,
  pending,
  serverErrors,
  onSubmit,
  extraActions,
  formLabel,
}: ReaderFormProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState(initialValues);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  // A field's server message stays until that field is changed.
  const [touched, setTouched] = useState<Set<ReaderField>>(new Set());
  const [lastServerErrors, setLastServerErrors] = useState(serverErrors);
  if (serverErrors !== lastServerErrors) {
    setLastServerErrors(serverErrors);
    setTouched(new Set());
  }

  function set<K extends ReaderField>(field: K, value: ReaderFormValues[K]) {
    setValues((current) => ({ ...current, [field]: value }));
    setTouched((current) => new Set(current).add(field));
    setClientErrors((current) => ({ ...current, [field]: undefined }));
  }

  function errorOf(field: ReaderField): string | undefined {
    const problem = clientErrors[field] ?? (touched.has(field) ? undefined : serverErrors?.[field]);
    if (!problem) return undefined;
    return 'key' in problem ? t(`readers.form.errors.${problem.key}`, { max: MAX_ITEMS, maxName: MAX_NAME }) : wordDetail(t, problem.detail);
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const errors = validateReader(values);
    setClientErrors(errors);
    if (Object.keys(errors).length > 0) {
      notifyWarning(t('readers.form.fix'));
      return;
    }
    onSubmit(toPayload(values));
  }

  return (
    <form onSubmit={submit} aria-label={formLabel} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label={t('readers.form.name')}
            description={t('readers.form.nameHint')}
            value={values.name}
            onChange={(event) => set('name', event.currentTarget.value)}
            error={errorOf('name')}
            maxLength={MAX_NAME + 20}
            required
            autoComplete="off"
            data-autofocus
          />
          <NumberInput
            label={t('readers.form.age')}
            description={t('readers.form.ageHint')}
            value={values.age}
            onChange={(value) => set('age', value)}
            error={errorOf('age')}
            min={1}
            max={120}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            inputMode="numeric"
          />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500} id="reader-language-label">
            {t('readers.form.language')}
          </Text>
          <SegmentedControl
            aria-labelledby="reader-language-label"
            value={values.language}
            onChange={(value) => set('language', value as ReaderFormValues['language'])}
            data={READER_LANGUAGES.map((lng) => ({
              value: lng,
              label: <span lang={lng}>{t(`languages.${lng}`, { lng })}</span>,
            }))}
            style={{ alignSelf: 'flex-start' }}
          />
        </Stack>
        <Select
          label={t('readers.form.readingLevel')}
          description={t('readers.form.readingLevelHint')}
          value={values.reading_level}
          onChange={(value) => {
            if (value) set('reading_level', value as ReaderFormValues['reading_level']);
          }}
          data={READING_LEVELS.map((level) => ({ value: level, label: t(`readers.levels.${level}`) }))}
          allowDeselect={false}
          error={errorOf('reading_level')}
        />
        {values.language === 'ja' && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            <Select
              label={t('readers.form.furigana')}
              description={t('readers.form.furiganaHint')}
              value={values.furigana}
              onChange={(value) => {
                if (value) set('furigana', value as ReaderFormValues['furigana']);
              }}
              data={FURIGANA_MODES.map((mode) => ({ value: mode, label: t(`readers.furigana.${mode}`) }))}
              allowDeselect={false}
              error={errorOf('furigana')}
            />
            {values.furigana === 'above_grade' && (
              <Select
                label={t('readers.form.kanjiGrade')}
                description={t('readers.form.kanjiGradeHint')}
                value={values.kanji_grade}
                onChange={(value) => set('kanji_grade', value ?? FROM_AGE)}
                data={[
                  { value: FROM_AGE, label: t('readers.form.kanjiGradeFromAge') },
                  ...KANJI_GRADES.map((grade) => ({
                    value: String(grade),
                    label: t('readers.form.kanjiGradeOption', { grade }),
                  })),
                ]}
                allowDeselect={false}
                error={errorOf('kanji_grade')}
              />
            )}
          </SimpleGrid>
        )}
        {LIST_FIELDS.map((field) => (
          <TagsInput
            key={field}
            label={t(`readers.form.${field}`)}
            description={t(`readers.form.${field}Hint`)}
            placeholder={t('readers.form.tagPlaceholder')}
            value={values[field]}
            onChange={(value) => set(field, value)}
            error={errorOf(field)}
            maxTags={MAX_ITEMS}
            splitChars={TAG_SEPARATORS}
            acceptValueOnBlur
            clearable
          />
        ))}
        <Stack gap={6}>
          <TextInput
            label={t('readers.form.avatar')}
            description={t('readers.form.avatarHint')}
            value={values.avatar}
            onChange={(event) => set('avatar', event.currentTarget.value)}
            error={errorOf('avatar')}
            maxLength={16}
            w={{ base: '100%', sm: 260 }}
            autoComplete="off"
          />
          <Group gap={4} role="group" aria-label={t('readers.form.avatarChoices')}>
            {AVATAR_CHOICES.map((emoji) => (
              <Button
                key={emoji}
                variant={values.avatar === emoji ? 'light' : 'subtle'}
                size="compact-md"
                onClick={() => set('avatar', emoji)}
                aria-label={t('readers.form.useAvatar', { emoji })}
                aria-pressed={values.avatar === emoji}
              >
                <span aria-hidden>{emoji}</span>
              </Button>
            ))}
          </Group>
        </Stack>
        <Group justify={extraActions ? 'space-between' : 'flex-end'} mt="sm">
          {extraActions}
          <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={pending}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
