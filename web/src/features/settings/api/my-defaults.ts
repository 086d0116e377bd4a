import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { ReaderLanguage, StoryLength } from '@/types/api';

/** The signed-in account's own story defaults (`/api/me/defaults`); null follows the global setting. */
export type AccountDefaults = {
  default_length: StoryLength | null;
  default_tone: string | null;
  default_language: ReaderLanguage | null;
  default_engine: string | null;
};

export function getMyDefaults({ signal }: { signal?: AbortSignal } = {}): Promise<AccountDefaults> {
  return apiFetch<AccountDefaults>('/me/defaults', { signal });
}

export function getMyDefaultsQueryOptions() {
  return queryOptions({
    queryKey: ['me', 'defaults'],
    queryFn: ({ signal }) => getMyDefaults({ signal }),
  });
}

/** What this account's new stories start with, where it chose for itself. */
export function useMyDefaults() {
  return useQuery(getMyDefaultsQueryOptions());
}

export function updateMyDefaults(patch: Partial<AccountDefaults>): Promise<AccountDefaults> {
  return apiFetch<AccountDefaults>('/me/defaults', { method: 'PATCH', json: patch });
}

/** Change the account's own defaults (null: follow the global setting again). */
export function useUpdateMyDefaults({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMyDefaults,
    onSuccess: (saved) => {
      queryClient.setQueryData(getMyDefaultsQueryOptions().queryKey, saved);
      onSuccess?.();
    },
  });
}
