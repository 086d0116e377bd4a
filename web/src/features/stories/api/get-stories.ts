import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { StoryPage } from '@/types/stories';

export const STORIES_PAGE_SIZE = 20;

export type StoryFilters = { q?: string; profileId?: number | null; favourite?: boolean };

export function getStories(filters: StoryFilters, cursor: string | null, signal?: AbortSignal): Promise<StoryPage> {
  return apiFetch<StoryPage>('/stories', {
    params: {
      q: filters.q?.trim(),
      profile_id: filters.profileId ?? undefined,
      favourite: filters.favourite ? 'true' : undefined,
      cursor,
      limit: STORIES_PAGE_SIZE,
    },
    signal,
  });
}

export function getStoriesQueryOptions(filters: StoryFilters) {
  return infiniteQueryOptions({
    queryKey: ['stories', 'list', { q: filters.q?.trim() ?? '', profileId: filters.profileId ?? null, favourite: Boolean(filters.favourite) }],
    queryFn: ({ pageParam, signal }) => getStories(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor,
    placeholderData: keepPreviousData,
  });
}

/** The library, newest first, one page at a time. */
export function useStories(filters: StoryFilters) {
  return useInfiniteQuery(getStoriesQueryOptions(filters));
}
