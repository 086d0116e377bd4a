import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { DiscoveryList } from '@/types/api';

export function discoverEngines({ signal }: { signal?: AbortSignal } = {}): Promise<DiscoveryList> {
  return apiFetch<DiscoveryList>('/engines/discover', { signal });
}

export function getDiscoveryQueryOptions() {
  return queryOptions({
    queryKey: ['engines', 'discover'],
    queryFn: ({ signal }) => discoverEngines({ signal }),
    staleTime: 30_000,
  });
}

/** OpenAI-compatible servers running on the server's machine (Ollama, LM Studio, llama.cpp, vLLM). */
export function useDiscoveredServers() {
  return useQuery(getDiscoveryQueryOptions());
}
