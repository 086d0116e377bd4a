import {
  Alert,
  Avatar,
  Button,
  Chip,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { usePromptCards, useReaders } from '../api/get-story-sources';
import { TONES } from '@/lib/tones';
import { useCreateStory } from '../api/story-mutations';
import { languageNotWritten } from '../utils/language-not-written';
import { LanguageMissing } from './language-missing';
import { isApiError } from '@/lib/api-client';
import { validationDetails, wordApiError } from '@/lib/server-messages';
import type { Prompt, TemplateVariable } from '@/types/api';
import type { StoryCreate, StoryLength } from '@/types/stories';

const NO_READER = 'none';
type Values = Record<string, string | number>;

function defaults(prompt: Prompt): Values {
  const values: Values = {};
  for (const v of prompt.variables) values[v.name] = v.default ?? (v.type === 'choice' ? (v.options[0] ?? '') : '');
  return values;
}

function VariableInput({ variable, value, onChange }: { variable: TemplateVariable; value: string | number; onChange: (v: string | number) => void }) {
  const label = variable.label ?? variable.name;
  if (variable.type === 'number') {
    return <NumberInput label={label} value={value} onChange={(v) => onChange(v)} required />;
  }
  if (variable.type === 'choice') {
    return (
      <Select label={label} data={variable.options ?? []} value={String(value)} onChange={(v) => onChange(v ?? '')} allowDeselect={false} required />
    );
  }
  return <TextInput label={label} value={String(value)} onChange={(e) => onChange(e.currentTarget.value)} required />;
}

/** Who the story is for, what it is about, how long, in what tone; then write it. */
export function NewStoryForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const readers = useReaders();
  const prompts = usePromptCards();
  const create = useCreateStory();
  const [readerId, setReaderId] = useState(NO_READER);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [values, setValues] = useState<Values>({});
  const [freeText, setFreeText] = useState('');
  const [length, setLength] = useState<StoryLength>('medium');
  const [tone, setTone] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const choosePrompt = (next: Prompt | null) => {
    setPrompt(next);
    setValues(next ? defaults(next) : {});
    setProblem(null);
  };

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setProblem(null);
    const data: StoryCreate = { length };
    if (readerId !== NO_READER) data.profile_id = Number(readerId);
    if (tone) data.tone = tone;
    if (prompt) {
      const missing = prompt.variables.find((v) => String(values[v.name] ?? '').trim() === '');
      if (missing) {
        setProblem(t('stories.new.missingVariable', { name: missing.label ?? missing.name }));
        return;
      }
      data.prompt_id = prompt.id;
      data.variables = values;
    } else {
      if (!freeText.trim()) {
        setProblem(t('stories.new.needPrompt'));
        return;
      }
      data.prompt = freeText.trim();
    }
    create.mutate(data, { onSuccess: (story) => void navigate(paths.story.href(story.id)) });
  };

  const error = create.error;
  const errorMessage = error ? (isApiError(error) ? wordApiError(t, error) : error.message) : null;

  const missingLanguage = languageNotWritten(error);

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        <Stack gap="xs">
          <Text fw={600} id="reader-label">
            {t('stories.new.reader')}
          </Text>
          <Chip.Group value={readerId} onChange={(v) => setReaderId(String(v))}>
            <Group gap="xs" role="radiogroup" aria-labelledby="reader-label">
              <Chip value={NO_READER} type="radio">
                {t('stories.new.noReader')}
              </Chip>
              {readers.data?.items.map((reader) => (
                <Chip key={reader.id} value={String(reader.id)} type="radio">
                  <Group gap={6} component="span" wrap="nowrap">
                    <Avatar size={20} radius="xl" component="span" aria-hidden>
                      {reader.avatar || reader.name.slice(0, 1)}
                    </Avatar>
                    {reader.name}
                  </Group>
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Stack>

        <Stack gap="xs">
          <Text fw={600}>{t('stories.new.about')}</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            {prompts.data?.items.map((card) => (
              <UnstyledButton
                key={card.id}
                onClick={() => choosePrompt(prompt?.id === card.id ? null : card)}
                aria-pressed={prompt?.id === card.id}
                data-testid="prompt-choice"
              >
                <Paper withBorder p="sm" radius="md" bg={prompt?.id === card.id ? 'var(--mantine-primary-color-light)' : undefined}>
                  <Text fw={600} lineClamp={1}>
                    {card.title || card.content}
                  </Text>
                  <Text size="sm" c="dimmed" lineClamp={2}>
                    {card.content}
                  </Text>
                </Paper>
              </UnstyledButton>
            ))}
          </SimpleGrid>
          {prompt ? (
            <Paper withBorder p="md" radius="md">
              <Stack gap="sm">
                {prompt.variables.map((variable) => (
                  <VariableInput
                    key={variable.name}
                    variable={variable}
                    value={values[variable.name] ?? ''}
                    onChange={(v) => setValues((current) => ({ ...current, [variable.name]: v }))}
                  />
                ))}
                <Button variant="subtle" onClick={() => choosePrompt(null)} w="fit-content">
                  {t('stories.new.ownIdea')}
                </Button>
              </Stack>
            </Paper>
          ) : (
            <Textarea
              label={t('stories.new.freeText')}
              placeholder={t('stories.new.freeTextPlaceholder')}
              value={freeText}
              onChange={(e) => setFreeText(e.currentTarget.value)}
              autosize
              minRows={2}
              maxLength={2000}
            />
          )}
        </Stack>

        <Group gap="xl" align="flex-end">
          <Stack gap={4}>
            <Text fw={600} id="length-label">
              {t('stories.new.length')}
            </Text>
            <SegmentedControl
              aria-labelledby="length-label"
              value={length}
              onChange={(v) => setLength(v as StoryLength)}
              data={(['short', 'medium', 'long'] as const).map((value) => ({ value, label: t(`stories.new.lengths.${value}`) }))}
            />
          </Stack>
          <Stack gap={4}>
            <Text fw={600} id="tone-label">
              {t('stories.new.tone')}
            </Text>
            <Chip.Group value={tone ?? ''} onChange={(v) => setTone(typeof v === 'string' && v !== tone ? v : null)}>
              <Group gap="xs" aria-labelledby="tone-label" role="group">
                {TONES.map((value) => (
                  <Chip key={value} value={value} type="radio" onClick={() => tone === value && setTone(null)}>
                    {t(`tones.${value}`)}
                  </Chip>
                ))}
              </Group>
            </Chip.Group>
          </Stack>
        </Group>

        {!problem && missingLanguage ? (
          <LanguageMissing detail={missingLanguage} />
        ) : (problem ?? errorMessage) && (
          <Alert color="red" role="alert" data-testid="new-story-error">
            <Text size="sm">{problem ?? errorMessage}</Text>
            {!problem && error && isApiError(error) && validationDetails(error).length === 0 && errorMessage !== error.message && (
              // A refusal with no detail to word: the server's own sentence is all there is.
              <Text size="sm" c="dimmed" mt={4}>
                {error.message}
              </Text>
            )}
          </Alert>
        )}

        <Button type="submit" size="md" loading={create.isPending} w="fit-content">
          {t('stories.new.write')}
        </Button>
      </Stack>
    </form>
  );
}
