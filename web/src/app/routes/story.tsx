import { Alert, Loader } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import { useStory } from '@/features/stories/api/get-story';
import { StoryView } from '@/features/stories/components/story-view';
import type { Story } from '@/types/stories';

export default function StoryRoute() {
  const { t } = useTranslation();
  const id = Number(useParams().storyId);
  const story = useStory(id);
  // "Continue" starts the same story again: a new round of streaming from where it is.
  const [continued, setContinued] = useState<{ story: Story; round: number } | null>(null);
  const current = continued?.story.id === id ? continued.story : story.data;
  useDocumentTitle(t('app.pageTitle', { page: current && current.title !== '' ? current.title : t('stories.untitled') }));

  if (story.isPending) return <Loader aria-label={t('common.loading')} />;
  if (!current) return <Alert color="red">{t('stories.notFound')}</Alert>;
  return (
    <StoryView
      key={`${current.id}-${continued?.round ?? 0}`}
      story={current}
      onContinue={(next) => setContinued((c) => ({ story: next, round: (c?.round ?? 0) + 1 }))}
    />
  );
}
