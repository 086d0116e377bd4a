import { ActionIcon, Anchor, Badge, Button, Chip, Group, Loader, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconStarFilled, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { paths } from '@/config/paths';
import { useStories } from '../api/get-stories';
import { useReaders } from '../api/get-story-sources';
import { useDeleteStory } from '../api/story-mutations';
import { ReadingLevelBadge } from './reading-level-badge';
import type { StorySummary } from '@/types/stories';

/** The library: newest first, searchable, filtered by reader and favourites. */
export function StoriesLibrary() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [favourite, setFavourite] = useState(false);
  const readers = useReaders();
  const stories = useStories({ q, profileId: profileId ? Number(profileId) : null, favourite });
  const remove = useDeleteStory();
  const [doomed, setDoomed] = useState<StorySummary | null>(null);
  const items = stories.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = q !== '' || profileId !== null || favourite;

  return (
    <Stack gap="md">
      <Group gap="sm" align="flex-end">
        <TextInput
          label={t('stories.library.search')}
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          type="search"
        />
        <Select
          label={t('stories.library.reader')}
          placeholder={t('stories.library.allReaders')}
          clearable
          value={profileId}
          onChange={setProfileId}
          data={(readers.data?.items ?? []).map((r) => ({ value: String(r.id), label: r.name }))}
        />
        <Chip checked={favourite} onChange={setFavourite}>
          {t('stories.library.favourites')}
        </Chip>
      </Group>
      {stories.isPending && <Loader aria-label={t('common.loading')} />}
      {!stories.isPending && items.length === 0 && (
        <Paper withBorder p="lg" radius="md" data-testid="library-empty">
          {filtered ? (
            <Text>{t('stories.library.noMatch')}</Text>
          ) : (
            <Stack gap="xs">
              <Text fw={600}>{t('stories.library.emptyTitle')}</Text>
              <Text>{t('stories.library.emptyBody')}</Text>
              <Text c="dimmed">{t('stories.library.emptyExamples')}</Text>
              <Group>
                <Button component={Link} to={paths.newStory.href()}>
                  {t('stories.library.newStory')}
                </Button>
                <Anchor component={Link} to={paths.readers.href()}>
                  {t('stories.library.firstReader')}
                </Anchor>
              </Group>
            </Stack>
          )}
        </Paper>
      )}
      {items.map((story) => (
        <Paper key={story.id} withBorder p="md" radius="md" data-testid="story-card">
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Stack gap={4} style={{ minWidth: 0 }}>
              <Group gap="xs">
                {story.favourite && <IconStarFilled size={16} color="var(--mantine-color-yellow-6)" aria-label={t('stories.favourite')} />}
                <Anchor component={Link} to={paths.story.href(story.id)} fw={600} lang={story.language}>
                  {story.title || t('stories.untitled')}
                </Anchor>
                <Badge variant="default" data-status={story.status}>
                  {t(`stories.badge.${story.status}`)}
                </Badge>
              </Group>
              <Group gap="sm">
                {story.reader_name && (
                  <Text size="sm" c="dimmed">
                    {t('stories.library.forReader', { name: story.reader_name })}
                  </Text>
                )}
                <ReadingLevelBadge measured={story.reading_grade} target={story.target_grade} />
              </Group>
              <Text size="sm" lineClamp={2} lang={story.language}>
                {story.excerpt}
              </Text>
            </Stack>
            <ActionIcon
              variant="subtle"
              color="red"
              onClick={() => setDoomed(story)}
              aria-label={t('stories.library.deleteNamed', { title: story.title === '' ? t('stories.untitled') : story.title })}
            >
              <IconTrash size={18} aria-hidden />
            </ActionIcon>
          </Group>
        </Paper>
      ))}
      {stories.hasNextPage && (
        <Button variant="light" onClick={() => void stories.fetchNextPage()} loading={stories.isFetchingNextPage} w="fit-content">
          {t('stories.library.loadMore')}
        </Button>
      )}
      <ConfirmDialog
        opened={doomed !== null}
        title={t('stories.library.deleteTitle')}
        confirmLabel={t('stories.library.delete')}
        pending={remove.isPending}
        onConfirm={() => doomed && remove.mutate(doomed.id, { onSuccess: () => setDoomed(null) })}
        onClose={() => setDoomed(null)}
      >
        <Text size="sm">{t('stories.library.deleteBody', { title: doomed?.title ?? '' })}</Text>
      </ConfirmDialog>
    </Stack>
  );
}
