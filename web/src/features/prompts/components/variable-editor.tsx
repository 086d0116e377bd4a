import { ActionIcon, Group, NumberInput, Paper, Select, SimpleGrid, TagsInput, TextInput } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

import type { VariableType } from '@/types/api';

import { VARIABLE_NAME, withType, type VariableDraft } from './variable-drafts';

type VariableEditorProps = {
  draft: VariableDraft;
  index: number;
  onChange: (draft: VariableDraft) => void;
  onRemove: () => void;
};

/** One template variable: its name, type, label, options (for a choice) and default. */
export function VariableEditor({ draft, index, onChange, onRemove }: VariableEditorProps) {
  const { t } = useTranslation();
  const nameInvalid = draft.name !== '' && !VARIABLE_NAME.test(draft.name);
  const types: { value: VariableType; label: string }[] = [
    { value: 'text', label: t('prompts.editor.types.text') },
    { value: 'number', label: t('prompts.editor.types.number') },
    { value: 'choice', label: t('prompts.editor.types.choice') },
  ];

  let defaultInput;
  if (draft.type === 'number') {
    defaultInput = (
      <NumberInput
        label={t('prompts.editor.variable.default')}
        value={draft.default}
        onChange={(value) => onChange({ ...draft, default: typeof value === 'number' ? value : '' })}
      />
    );
  } else if (draft.type === 'choice') {
    defaultInput = (
      <Select
        label={t('prompts.editor.variable.default')}
        data={draft.options}
        value={typeof draft.default === 'string' && draft.options.includes(draft.default) ? draft.default : null}
        onChange={(value) => onChange({ ...draft, default: value ?? '' })}
        clearable
        placeholder={t('prompts.editor.variable.noDefault')}
      />
    );
  } else {
    defaultInput = (
      <TextInput
        label={t('prompts.editor.variable.default')}
        value={String(draft.default)}
        onChange={(event) => onChange({ ...draft, default: event.currentTarget.value })}
      />
    );
  }

  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      component="fieldset"
      aria-label={t('prompts.editor.variable.legend', { index: index + 1 })}
      style={{ margin: 0 }}
    >
      <Group justify="flex-end" mb={-8}>
        <ActionIcon
          variant="subtle"
          color="gray"
          onClick={onRemove}
          aria-label={t('prompts.editor.variable.remove', { name: draft.name || index + 1 })}
        >
          <IconX size={16} aria-hidden />
        </ActionIcon>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput
          label={t('prompts.editor.variable.name')}
          description={t('prompts.editor.variable.nameHint', { example: `{{${draft.name || 'animal'}}}` })}
          value={draft.name}
          onChange={(event) => onChange({ ...draft, name: event.currentTarget.value.trim() })}
          error={nameInvalid ? t('prompts.editor.problems.name') : undefined}
          required
        />
        <Select
          label={t('prompts.editor.variable.type')}
          data={types}
          value={draft.type}
          onChange={(value) => value && onChange(withType(draft, value as VariableType))}
          allowDeselect={false}
        />
        <TextInput
          label={t('prompts.editor.variable.label')}
          description={t('prompts.editor.variable.labelHint')}
          value={draft.label}
          maxLength={100}
          onChange={(event) => onChange({ ...draft, label: event.currentTarget.value })}
        />
        {draft.type === 'choice' && (
          <TagsInput
            label={t('prompts.editor.variable.options')}
            description={t('prompts.editor.variable.optionsHint')}
            value={draft.options}
            onChange={(options) => onChange({ ...draft, options })}
            maxTags={50}
            required
          />
        )}
        {defaultInput}
      </SimpleGrid>
    </Paper>
  );
}
