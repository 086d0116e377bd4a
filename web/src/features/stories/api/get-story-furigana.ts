import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { StoryFurigana } from '@/types/stories';

import { completeSentences } from '../utils/furigana-text';

export function getStoryFurigana(id: number, signal?: AbortSignal): Promise<StoryFurigana> {
  return apiFetch<StoryFurigana>(`/stories/${id}/furigana`, { signal });
}

/**
 * Readings for a Japanese story, as its reader's profile asks. While the story is written,
 * asked again each time a sentence completes (`sentences`); the previous answer stays on
 * screen meanwhile, so nothing already shown flickers back to plain text.
 */
export function getStoryFuriganaQueryOptions(id: number, sentences: number | 'final') {
  return queryOptions({
    queryKey: ['stories', 'furigana', id, sentences],
    queryFn: ({ signal }) => getStoryFurigana(id, signal),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
}

export function useStoryFurigana(id: number, language: string, body: string, working: boolean) {
  const japanese = language.toLowerCase().split('-')[0] === 'ja';
  return useQuery({
    ...getStoryFuriganaQueryOptions(id, working ? completeSentences(body) : 'final'),
    enabled: japanese,
  });
}
