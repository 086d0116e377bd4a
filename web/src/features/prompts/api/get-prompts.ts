import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { PromptPage } from '@/types/api';

export const PROMPTS_PAGE_SIZE = 20;

export function getPrompts({
  q,
  cursor,
  signal,
}: {
  q?: string;
  cursor?: string | null;
  signal?: AbortSignal;
}): Promise<PromptPage> {
  return apiFetch<PromptPage>('/prompts', {
    params: { q: q?.trim(), cursor, limit: PROMPTS_PAGE_SIZE },
    signal,
  });
}

export function promptsQueryKey(q = ''): readonly unknown[] {
  return ['prompts', 'list', { q: q.trim() }];
}

export function getPromptsQueryOptions({ q = '' }: { q?: string } = {}) {
  return infiniteQueryOptions({
    queryKey: promptsQueryKey(q),
    queryFn: ({ pageParam, signal }) => getPrompts({ q, cursor: pageParam, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.next_cursor,
    // While a new search runs, the last results stay on screen instead of a spinner.
    placeholderData: keepPreviousData,
  });
}

/** The prompt library, newest first, one page at a time ("load more"). */
export function usePrompts({ q = '' }: { q?: string } = {}) {
  return useInfiniteQuery(getPromptsQueryOptions({ q }));
}
