import { queryOptions, useQuery } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { RuntimeSettings } from '@/types/api';

export function getSettings({ signal }: { signal?: AbortSignal } = {}): Promise<RuntimeSettings> {
  return apiFetch<RuntimeSettings>('/settings', { signal });
}

export function getSettingsQueryOptions() {
  return queryOptions({
    queryKey: ['settings'],
    queryFn: ({ signal }) => getSettings({ signal }),
  });
}

/** Every runtime setting with its current value. */
export function useSettings() {
  return useQuery(getSettingsQueryOptions());
}
