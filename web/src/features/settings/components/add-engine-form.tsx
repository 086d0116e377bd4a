import { Button, Checkbox, Group, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess, notifyWarning } from '@/lib/notify';
import type { RuntimeSettings } from '@/types/api';

import { useUpdateSettings } from '../api/update-settings';

type Errors = Partial<Record<'name' | 'baseUrl' | 'model' | 'languages' | 'apiKeyEnv', string>>;

const NAME_PATTERN = /^[A-Za-z0-9][\w.-]{0,63}$/;
const ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Adds an OpenAI-compatible server (Ollama, vLLM, llama.cpp, OpenAI) to the engines. */
export function AddEngineForm({ settings }: { settings: RuntimeSettings }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [languages, setLanguages] = useState<string[]>(['en']);
  const [apiKeyEnv, setApiKeyEnv] = useState('OPENAI_API_KEY');
  const [errors, setErrors] = useState<Errors>({});
  const updateSettings = useUpdateSettings({
    onSuccess: (_settings, patch) => {
      notifySuccess(t('settings.addEngine.added', { name: Object.keys(patch.engines ?? {}).at(-1) ?? '' }));
      setName('');
      setBaseUrl('');
      setModel('');
      setErrors({});
    },
  });

  function validate(): Errors {
    const found: Errors = {};
    const trimmed = name.trim();
    if (!trimmed) found.name = t('settings.addEngine.errors.nameRequired');
    else if (!NAME_PATTERN.test(trimmed)) found.name = t('settings.addEngine.errors.nameFormat');
    else if (trimmed in settings.engines) found.name = t('settings.addEngine.errors.nameTaken', { name: trimmed });
    if (!isHttpUrl(baseUrl.trim())) found.baseUrl = t('settings.addEngine.errors.baseUrl');
    if (!model.trim()) found.model = t('settings.addEngine.errors.modelRequired');
    if (languages.length === 0) found.languages = t('settings.addEngine.errors.languages');
    if (!ENV_PATTERN.test(apiKeyEnv.trim())) found.apiKeyEnv = t('settings.addEngine.errors.apiKeyEnv');
    return found;
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      notifyWarning(t('settings.addEngine.fix'));
      return;
    }
    updateSettings.mutate({
      // The whole list is replaced: the engines already there are sent back unchanged.
      engines: {
        ...settings.engines,
        [name.trim()]: {
          type: 'openai',
          base_url: baseUrl.trim(),
          model: model.trim(),
          languages,
          api_key_env: apiKeyEnv.trim(),
        },
      },
    });
  }

  return (
    <form onSubmit={submit} aria-label={t('settings.addEngine.title')} noValidate>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <TextInput
            label={t('settings.addEngine.name')}
            description={t('settings.addEngine.nameHint')}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={errors.name}
            maxLength={64}
            autoComplete="off"
            required
          />
          <TextInput
            label={t('settings.addEngine.model')}
            description={t('settings.addEngine.modelHint')}
            value={model}
            onChange={(event) => setModel(event.currentTarget.value)}
            error={errors.model}
            autoComplete="off"
            required
          />
          <TextInput
            label={t('settings.addEngine.baseUrl')}
            description={t('settings.addEngine.baseUrlHint')}
            placeholder="http://127.0.0.1:11434/v1"
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.currentTarget.value)}
            error={errors.baseUrl}
            type="url"
            autoComplete="off"
            required
          />
          <TextInput
            label={t('settings.addEngine.apiKeyEnv')}
            description={t('settings.addEngine.apiKeyEnvHint')}
            value={apiKeyEnv}
            onChange={(event) => setApiKeyEnv(event.currentTarget.value)}
            error={errors.apiKeyEnv}
            autoComplete="off"
          />
        </SimpleGrid>
        <Checkbox.Group
          label={t('settings.addEngine.languages')}
          value={languages}
          onChange={setLanguages}
          error={errors.languages}
        >
          <Group gap="md" mt={6}>
            <Checkbox value="en" label={<span lang="en">{t('languages.en', { lng: 'en' })}</span>} />
            <Checkbox value="ja" label={<span lang="ja">{t('languages.ja', { lng: 'ja' })}</span>} />
          </Group>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button type="submit" variant="light" leftSection={<IconPlus size={18} aria-hidden />} loading={updateSettings.isPending}>
            {t('settings.addEngine.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
