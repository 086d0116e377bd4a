import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { EngineInfoList } from '@/types/api';

export function getEngines({ signal }: { signal?: AbortSignal } = {}): Promise<EngineInfoList> {
  return apiFetch<EngineInfoList>('/engines', { signal });
}

export function getEnginesQueryOptions() {
  return queryOptions({
    queryKey: ['engines', 'list'],
    queryFn: ({ signal }) => getEngines({ signal }),
    // The health is checked on every call: do not ask again on every visit.
    staleTime: 60_000,
  });
}

/** The configured engines with their health, as the server sees them now. */
export function useEngines() {
  return useQuery(getEnginesQueryOptions());
}
