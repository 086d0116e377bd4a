import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch, isApiError } from '@/lib/api-client';
import { notifyError } from '@/lib/notify';
import type { EngineAdd, EngineInfo } from '@/types/api';

import { adminHeaders } from './admin-token';

export function addEngine(data: EngineAdd): Promise<EngineInfo> {
  return apiFetch<EngineInfo>('/engines', { method: 'POST', json: data, headers: adminHeaders() });
}

type Options = {
  onSuccess?: (engine: EngineInfo) => void;
  /** The server wants the admin token (401): ask for it instead of showing an error. */
  onUnauthorized?: () => void;
};

/** Add one engine beside the configured ones; the engines, settings and discovery are read again. */
export function useAddEngine({ onSuccess, onUnauthorized }: Options = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addEngine,
    meta: { silent: true },
    onSuccess: async (engine) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['engines'] }),
        queryClient.invalidateQueries({ queryKey: ['settings'] }),
      ]);
      onSuccess?.(engine);
    },
    onError: (error) => {
      if (isApiError(error) && error.status === 401 && onUnauthorized) onUnauthorized();
      else notifyError(error);
    },
  });
}
