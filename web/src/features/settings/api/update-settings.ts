import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch, isApiError } from '@/lib/api-client';
import { notifyError } from '@/lib/notify';
import type { RuntimeSettings, SettingsPatch } from '@/types/api';

import { adminHeaders } from './admin-token';
import { getSettingsQueryOptions } from './get-settings';

export function updateSettings(data: SettingsPatch): Promise<RuntimeSettings> {
  return apiFetch<RuntimeSettings>('/settings', { method: 'PATCH', json: data, headers: adminHeaders() });
}

type Options = Pick<UseMutationOptions<RuntimeSettings, Error, SettingsPatch>, 'onSuccess'> & {
  /** The server wants the admin token (401): ask for it instead of showing an error. */
  onUnauthorized?: () => void;
};

/** Change runtime settings, with the admin token when one was given. */
export function useUpdateSettings({ onSuccess, onUnauthorized }: Options = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateSettings,
    meta: { silent: true },
    onSuccess: async (settings, ...rest) => {
      queryClient.setQueryData(getSettingsQueryOptions().queryKey, settings);
      await queryClient.invalidateQueries({ queryKey: ['engines'] });
      onSuccess?.(settings, ...rest);
    },
    onError: (error) => {
      if (isApiError(error) && error.status === 401 && onUnauthorized) onUnauthorized();
      else notifyError(error);
    },
  });
}
