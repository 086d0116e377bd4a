import { Button, Group, Stack, TagsInput, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconDeviceFloppy, IconPlus } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { notifySuccess, notifyWarning } from '@/lib/notify';
import type { Prompt, PromptUpdate } from '@/types/api';

import { useUpdatePrompt } from '../api/update-prompt';

import { DeletePrompt } from './delete-prompt';
import { promptName } from './prompt-name';
import { draftProblem, emptyDraft, fromDraft, toDraft, type VariableDraft } from './variable-drafts';
import { VariableEditor } from './variable-editor';

type PromptEditorProps = {
  prompt: Prompt;
  onDeleted: () => void;
};

/** Change a prompt's title, text, tags and template variables. */
export function PromptEditor({ prompt, onDeleted }: PromptEditorProps) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(prompt.title);
  const [content, setContent] = useState(prompt.content);
  const [tags, setTags] = useState(prompt.tags);
  const [variables, setVariables] = useState<VariableDraft[]>(() => prompt.variables.map(toDraft));
  const updatePrompt = useUpdatePrompt({
    onSuccess: (saved) => {
      // The server may have added variables for placeholders it found in the text.
      setVariables(saved.variables.map(toDraft));
      notifySuccess(t('prompts.editor.saved'));
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!content.trim()) {
      notifyWarning(t('prompts.editor.problems.content'));
      return;
    }
    for (const draft of variables) {
      const problem = draftProblem(draft);
      if (problem) {
        notifyWarning(t(problem, { name: draft.name }));
        return;
      }
    }
    const data: PromptUpdate = { title: title.trim(), content, tags, variables: variables.map(fromDraft) };
    updatePrompt.mutate({ promptId: prompt.id, data });
  }

  const setVariable = (index: number, draft: VariableDraft) =>
    setVariables((all) => all.map((item, i) => (i === index ? draft : item)));

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Title order={1} size="h2">
          {promptName({ title, content }) || t('prompts.editor.heading')}
        </Title>
        <TextInput
          label={t('prompts.editor.title')}
          placeholder={t('prompts.editor.titlePlaceholder')}
          value={title}
          maxLength={200}
          onChange={(event) => setTitle(event.currentTarget.value)}
        />
        <Textarea
          label={t('prompts.editor.content')}
          description={t('prompts.editor.contentHint', { example: '{{animal}}', reader: '{{reader.name}}' })}
          value={content}
          onChange={(event) => setContent(event.currentTarget.value)}
          autosize
          minRows={4}
          maxRows={16}
          maxLength={10_000}
          required
        />
        <TagsInput
          label={t('prompts.editor.tags')}
          description={t('prompts.editor.tagsHint')}
          value={tags}
          onChange={setTags}
          maxTags={20}
          clearable
        />
        <Stack gap="xs" component="section" aria-labelledby="variables-heading">
          <Title order={2} size="h4" id="variables-heading">
            {t('prompts.editor.variables')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('prompts.editor.variablesHint')}
          </Text>
          {variables.map((draft, index) => (
            <VariableEditor
              key={draft.key}
              draft={draft}
              index={index}
              onChange={(next) => setVariable(index, next)}
              onRemove={() => setVariables((all) => all.filter((_, i) => i !== index))}
            />
          ))}
          <Group>
            <Button
              variant="light"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setVariables((all) => [...all, emptyDraft()])}
              disabled={variables.length >= 30}
            >
              {t('prompts.editor.addVariable')}
            </Button>
          </Group>
        </Stack>
        <Group justify="space-between" mt="md">
          <DeletePrompt promptId={prompt.id} name={promptName(prompt)} onDeleted={onDeleted} />
          <Button type="submit" leftSection={<IconDeviceFloppy size={18} aria-hidden />} loading={updatePrompt.isPending}>
            {t('prompts.editor.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
