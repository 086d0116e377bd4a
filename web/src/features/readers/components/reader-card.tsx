import { Anchor, Badge, Card, Group, Stack, Text } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { paths } from '@/config/paths';
import type { Reader } from '@/types/api';

import { DeleteReader } from './delete-reader';
import { ReaderAvatar } from './reader-avatar';

/** One reader in the list: avatar, name (a link to their page), age, language and actions. */
export function ReaderCard({ reader }: { reader: Reader }) {
  const { t } = useTranslation();
  return (
    <Card component="li" withBorder radius="md" padding="md" data-testid="reader-card">
      <Stack gap="sm" h="100%" justify="space-between">
        <Group gap="md" wrap="nowrap" align="flex-start">
          <ReaderAvatar reader={reader} />
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Anchor
              component={Link}
              to={paths.reader.href(reader.id)}
              fw={600}
              size="lg"
              c="var(--mantine-color-text)"
              style={{ overflowWrap: 'anywhere' }}
            >
              {reader.name}
            </Anchor>
            <Group gap={6}>
              {reader.age !== null && (
                <Text size="sm" c="dimmed">
                  {t('readers.card.age', { count: reader.age })}
                </Text>
              )}
              <Badge variant="light" radius="sm" tt="none" lang={reader.language}>
                {t(`languages.${reader.language}`, { lng: reader.language })}
              </Badge>
              <Badge variant="outline" color="gray" radius="sm" tt="none">
                {t(`readers.levels.${reader.reading_level}`)}
              </Badge>
            </Group>
            {reader.interests.length > 0 && (
              <Text size="sm" c="dimmed" lineClamp={2}>
                {t('readers.card.likes', { list: reader.interests.join(t('readers.card.separator')) })}
              </Text>
            )}
          </Stack>
        </Group>
        <Group gap="xs" justify="flex-end">
          <Anchor
            component={Link}
            to={paths.reader.href(reader.id)}
            size="sm"
            aria-label={t('readers.card.editLabel', { name: reader.name })}
          >
            <Group gap={4} component="span">
              <IconPencil size={16} aria-hidden />
              {t('readers.card.edit')}
            </Group>
          </Anchor>
          <DeleteReader readerId={reader.id} name={reader.name} />
        </Group>
      </Stack>
    </Card>
  );
}
