import { Anchor, Badge, Card, Group, Stack, Text } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { paths } from '@/config/paths';
import type { Prompt } from '@/types/api';

import { DeletePrompt } from './delete-prompt';
import { promptName } from './prompt-name';

/** One prompt in the list: its name (a link to its page), its text, tags and actions. */
export function PromptCard({ prompt }: { prompt: Prompt }) {
  const { t } = useTranslation();
  const name = promptName(prompt);
  return (
    <Card component="li" withBorder radius="md" padding="md" data-testid="prompt-card">
      <Stack gap="xs">
        <Anchor component={Link} to={paths.prompt.href(prompt.id)} fw={600} size="lg" c="var(--mantine-color-text)">
          {name}
        </Anchor>
        {prompt.title.trim() !== '' && (
          <Text size="sm" c="dimmed" lineClamp={3} style={{ whiteSpace: 'pre-line' }}>
            {prompt.content}
          </Text>
        )}
        {(prompt.tags.length > 0 || prompt.variables.length > 0) && (
          <Group gap={6}>
            {prompt.tags.map((tag) => (
              <Badge key={tag} variant="light" radius="sm" tt="none">
                {tag}
              </Badge>
            ))}
            {prompt.variables.length > 0 && (
              <Badge variant="outline" color="gray" radius="sm" tt="none">
                {t('prompts.list.variables', { count: prompt.variables.length })}
              </Badge>
            )}
          </Group>
        )}
        <Group gap="xs" justify="flex-end">
          <Anchor
            component={Link}
            to={paths.prompt.href(prompt.id)}
            size="sm"
            aria-label={t('prompts.list.editLabel', { name })}
          >
            <Group gap={4} component="span">
              <IconPencil size={16} aria-hidden />
              {t('prompts.list.edit')}
            </Group>
          </Anchor>
          <DeletePrompt promptId={prompt.id} name={name} />
        </Group>
      </Stack>
    </Card>
  );
}
