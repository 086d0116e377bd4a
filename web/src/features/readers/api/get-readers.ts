import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { ReaderList } from '@/types/api';

export function getReaders({ signal }: { signal?: AbortSignal } = {}): Promise<ReaderList> {
  return apiFetch<ReaderList>('/profiles', { signal });
}

export function getReadersQueryOptions() {
  return queryOptions({
    queryKey: ['readers', 'list'],
    queryFn: ({ signal }) => getReaders({ signal }),
  });
}

/** Every reader, by name. */
export function useReaders() {
  return useQuery(getReadersQueryOptions());
}
