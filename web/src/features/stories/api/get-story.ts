import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import { isFinalStatus, type Story } from '@/types/stories';

export function getStory(id: number, signal?: AbortSignal): Promise<Story> {
  return apiFetch<Story>(`/stories/${id}`, { signal });
}

export function storyQueryKey(id: number): readonly unknown[] {
  return ['stories', 'detail', id];
}

export function getStoryQueryOptions(id: number) {
  return queryOptions({
    queryKey: storyQueryKey(id),
    queryFn: ({ signal }) => getStory(id, signal),
    // The stream keeps the page current; the saved story is only where it starts.
    staleTime: Infinity,
  });
}

/** One story with its saved text and the number of its last saved piece. */
export function useStory(id: number) {
  return useQuery(getStoryQueryOptions(id));
}

/**
 * The story's measured reading level and its reader's target. A story that ends while
 * the page is open is measured then: its saved form is read again once, at its end.
 */
export function useStoryLevel(story: Story, final: boolean): Pick<Story, 'reading_grade' | 'target_grade'> {
  const measuredAlready = story.reading_grade !== null || isFinalStatus(story.status);
  const after = useQuery({
    queryKey: [...storyQueryKey(story.id), 'level'],
    queryFn: ({ signal }) => getStory(story.id, signal),
    enabled: final && !measuredAlready,
    staleTime: Infinity,
  });
  return after.data ?? story;
}
