import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Reader } from '@/types/api';

export function getReader({ readerId, signal }: { readerId: number; signal?: AbortSignal }): Promise<Reader> {
  return apiFetch<Reader>(`/profiles/${readerId}`, { signal });
}

export function getReaderQueryOptions(readerId: number) {
  return queryOptions({
    queryKey: ['readers', 'detail', readerId],
    queryFn: ({ signal }) => getReader({ readerId, signal }),
  });
}

/** One reader, for their own page. */
export function useReader({ readerId }: { readerId: number }) {
  return useQuery({ ...getReaderQueryOptions(readerId), meta: { silent: true } });
}
