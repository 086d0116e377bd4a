import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import type { ApiTokenList } from './types';

export function getTokens({ signal }: { signal?: AbortSignal } = {}): Promise<ApiTokenList> {
  return apiFetch<ApiTokenList>('/tokens', { signal });
}

export function getTokensQueryOptions() {
  return queryOptions({
    queryKey: ['tokens', 'list'],
    queryFn: ({ signal }) => getTokens({ signal }),
  });
}

/** The signed-in account's API tokens (never the tokens themselves: only their first characters). */
export function useTokens() {
  return useQuery(getTokensQueryOptions());
}
