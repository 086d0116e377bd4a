import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import type { UserList } from './types';

export function getUsers({ signal }: { signal?: AbortSignal } = {}): Promise<UserList> {
  return apiFetch<UserList>('/users', { signal });
}

export function getUsersQueryOptions() {
  return queryOptions({
    queryKey: ['users', 'list'],
    queryFn: ({ signal }) => getUsers({ signal }),
  });
}

/** Every account on this Storybot (admins only). */
export function useUsers() {
  return useQuery(getUsersQueryOptions());
}
