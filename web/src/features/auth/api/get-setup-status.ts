import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

export type SetupStatus = {
  /** True while no account exists: the first one, an admin, is created on the setup page. */
  needed: boolean;
};

export function getSetupStatus({ signal }: { signal?: AbortSignal } = {}): Promise<SetupStatus> {
  return apiFetch<SetupStatus>('/auth/setup', { signal });
}

export function getSetupStatusQueryOptions() {
  return queryOptions({
    queryKey: ['auth', 'setup'],
    queryFn: ({ signal }) => getSetupStatus({ signal }),
    staleTime: 0,
  });
}

/** Whether this Storybot still waits for its first account. */
export function useSetupStatus() {
  return useQuery(getSetupStatusQueryOptions());
}
