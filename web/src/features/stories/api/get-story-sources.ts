import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { PromptPage } from '@/types/api';
import type { StoryReaderList } from '@/types/stories';

export function getReaders(signal?: AbortSignal): Promise<StoryReaderList> {
  return apiFetch<StoryReaderList>('/profiles', { signal });
}

/** The readers to write for (chips on the new story page, the library's filter). */
export function useReaders() {
  return useQuery(queryOptions({ queryKey: ['profiles', 'list'], queryFn: ({ signal }) => getReaders(signal) }));
}

export function getPromptCards(signal?: AbortSignal): Promise<PromptPage> {
  return apiFetch<PromptPage>('/prompts', { params: { limit: 100 }, signal });
}

/** The prompt library as cards to start a story from. */
export function usePromptCards() {
  return useQuery(
    queryOptions({ queryKey: ['prompts', 'list', { cards: true }], queryFn: ({ signal }) => getPromptCards(signal) }),
  );
}
