import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Prompt } from '@/types/api';

export function getPrompt({ promptId, signal }: { promptId: number; signal?: AbortSignal }): Promise<Prompt> {
  return apiFetch<Prompt>(`/prompts/${promptId}`, { signal });
}

export function getPromptQueryOptions(promptId: number) {
  return queryOptions({
    queryKey: ['prompts', 'detail', promptId],
    queryFn: ({ signal }) => getPrompt({ promptId, signal }),
  });
}

/** One prompt, for its own page. */
export function usePrompt({ promptId }: { promptId: number }) {
  return useQuery({ ...getPromptQueryOptions(promptId), meta: { silent: true } });
}
