import { Button, Group, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess, notifyWarning } from '@/lib/notify';

import { useCreatePrompt } from '../api/create-prompt';

/** The quick way to add a prompt: one line of text and a button. */
export function NewPromptForm() {
  const { t } = useTranslation();
  const [content, setContent] = useState('');
  const createPrompt = useCreatePrompt({
    onSuccess: () => {
      setContent('');
      notifySuccess(t('prompts.new.added'));
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!content.trim()) {
      notifyWarning(t('prompts.new.empty'));
      return;
    }
    createPrompt.mutate({ content: content.trim() });
  }

  return (
    <form onSubmit={submit} aria-label={t('prompts.new.formLabel')} noValidate>
      <Group align="flex-end" gap="sm" wrap="wrap">
        <TextInput
          label={t('prompts.new.label')}
          placeholder={t('prompts.new.placeholder')}
          value={content}
          onChange={(event) => setContent(event.currentTarget.value)}
          maxLength={10_000}
          readOnly={createPrompt.isPending}
          style={{ flex: '1 1 18rem' }}
        />
        <Button type="submit" leftSection={<IconPlus size={18} aria-hidden />} loading={createPrompt.isPending}>
          {t('prompts.new.add')}
        </Button>
      </Group>
    </form>
  );
}
