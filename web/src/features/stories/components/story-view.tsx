import { ActionIcon, Alert, Anchor, Button, Group, Skeleton, Stack, Title } from '@mantine/core';
import { IconDownload, IconPlayerStop, IconPrinter, IconStar, IconStarFilled } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { useStoryFurigana } from '../api/get-story-furigana';
import { useStoryLevel } from '../api/get-story';
import { exportPath, useStoryAction, useUpdateStory } from '../api/story-mutations';
import { canReadAloud, useReadAloud } from '../hooks/use-read-aloud';
import { useStoryStream } from '../hooks/use-story-stream';
import { segmentsText, shownSegments } from '../utils/furigana-text';
import { splitTitle } from '../utils/split-title';
import { apiUrl } from '@/lib/api-client';
import type { Story } from '@/types/stories';

import { ReadAloudControls } from './read-aloud';
import { ReadingLevelBadge } from './reading-level-badge';
import { StatusLine } from './status-line';
import classes from './story.module.css';
import { StoryText } from './story-text';

/** A story being written or read: `onContinue` hands over the story as it starts again. */
export function StoryView({ story, onContinue }: { story: Story; onContinue: (story: Story) => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const live = useStoryStream(story);
  const cancel = useStoryAction(story.id, 'cancel');
  const regenerate = useStoryAction(story.id, 'regenerate');
  const continueStory = useStoryAction(story.id, 'continue');
  const update = useUpdateStory();
  const [favourite, setFavourite] = useState(story.favourite);

  const split = splitTitle(live.text);
  const title = live.title === '' ? (split.title ?? '') : live.title;
  const body = split.body;
  const working = live.status === 'queued' || live.status === 'running';
  const final = !working && live.status !== 'deleted';
  const level = useStoryLevel(story, final);
  // Readings come per complete sentence while the story is written (the sentence being
  // written stays plain), and for the whole text once it has ended.
  const furigana = useStoryFurigana(story.id, story.language, body, working).data;
  const withFurigana = furigana && furigana.furigana !== 'none' && furigana.source_length <= body.length;
  const segments = withFurigana
    ? shownSegments(furigana.segments, body, furigana.source_length)
    : [{ text: body, reading: null }];
  // Read aloud speaks what is shown, once: never a word and its reading both.
  const speech = useReadAloud(segmentsText(segments), story.language);

  const toggleFavourite = () => {
    const next = !favourite;
    setFavourite(next);
    update.mutate({ id: story.id, data: { favourite: next } }, { onError: () => setFavourite(!next) });
  };

  return (
    <Stack gap="lg" maw={860} mx="auto" w="100%">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        {title || !working ? (
          <Title order={1} className={classes.title} lang={story.language}>
            {title || t('stories.untitled')}
          </Title>
        ) : (
          // The title is written after the story: its place is kept, never filled with a stand-in.
          <Skeleton
            height={40}
            width="55%"
            radius="md"
            animate={false}
            role="img"
            aria-label={t('stories.writingTitle')}
            data-testid="title-to-come"
          />
        )}
        <ActionIcon
          variant="subtle"
          color="yellow"
          size="lg"
          onClick={toggleFavourite}
          aria-pressed={favourite}
          aria-label={t('stories.favourite')}
          title={t('stories.favourite')}
        >
          {favourite ? <IconStarFilled aria-hidden /> : <IconStar aria-hidden />}
        </ActionIcon>
      </Group>
      <Group justify="space-between" gap="sm">
        <Group gap="md">
          <StatusLine live={live} />
          <ReadingLevelBadge measured={level.reading_grade} target={level.target_grade} />
        </Group>
        {working && (
          <Button
            color="red"
            variant="light"
            leftSection={<IconPlayerStop size={16} aria-hidden />}
            loading={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            {t('stories.stop')}
          </Button>
        )}
      </Group>
      {live.status === 'deleted' && <Alert color="gray">{t('stories.deleted')}</Alert>}
      {final && body && canReadAloud() && <ReadAloudControls speech={speech} />}
      <StoryText
        segments={segments}
        language={story.language}
        word={speech.word}
        ruby={furigana?.furigana === 'all' || furigana?.furigana === 'above_grade'}
      />
      {final && (
        <Group gap="sm">
          <Button
            variant="light"
            loading={regenerate.isPending}
            onClick={() =>
              regenerate.mutate(undefined, { onSuccess: (next) => void navigate(paths.story.href(next.id)) })
            }
          >
            {t('stories.tryAgain')}
          </Button>
          <Button
            variant={live.status === 'incomplete' ? 'filled' : 'light'}
            loading={continueStory.isPending}
            onClick={() => continueStory.mutate(undefined, { onSuccess: onContinue })}
          >
            {t('stories.continue')}
          </Button>
          <Anchor href={apiUrl(exportPath(story.id, 'markdown'))} download>
            <Group gap={4} component="span">
              <IconDownload size={16} aria-hidden />
              {t('stories.export.markdown')}
            </Group>
          </Anchor>
          <Anchor href={apiUrl(exportPath(story.id, 'epub'))} download>
            <Group gap={4} component="span">
              <IconDownload size={16} aria-hidden />
              {t('stories.export.epub')}
            </Group>
          </Anchor>
          <Anchor href={apiUrl(exportPath(story.id, 'html'))} target="_blank" rel="noopener">
            <Group gap={4} component="span">
              <IconPrinter size={16} aria-hidden />
              {t('stories.export.print')}
            </Group>
          </Anchor>
        </Group>
      )}
    </Stack>
  );
}
