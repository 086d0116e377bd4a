import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { RuntimeSettings, SettingsPatch } from '@/types/api';

import { getSettingsQueryOptions } from './get-settings';

export function updateSettings(data: SettingsPatch): Promise<RuntimeSettings> {
  return apiFetch<RuntimeSettings>('/settings', { method: 'PATCH', json: data });
}

type Options = Pick<UseMutationOptions<RuntimeSettings, Error, SettingsPatch>, 'onSuccess'>;

/** Change runtime settings (an admin's to change: a member is refused with 403). */
export function useUpdateSettings({ onSuccess }: Options = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSettings,
    onSuccess: async (settings, ...rest) => {
      queryClient.setQueryData(getSettingsQueryOptions().queryKey, settings);
      await queryClient.invalidateQueries({ queryKey: ['engines'] });
      onSuccess?.(settings, ...rest);
    },
  });
}
