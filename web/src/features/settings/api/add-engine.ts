import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { EngineAdd, EngineInfo } from '@/types/api';

export function addEngine(data: EngineAdd): Promise<EngineInfo> {
  return apiFetch<EngineInfo>('/engines', { method: 'POST', json: data });
}

type Options = {
  onSuccess?: (engine: EngineInfo) => void;
};

/** Add one engine beside the configured ones; the engines, settings and discovery are read again. */
export function useAddEngine({ onSuccess }: Options = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: addEngine,
    onSuccess: async (engine) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['engines'] }),
        queryClient.invalidateQueries({ queryKey: ['settings'] }),
      ]);
      onSuccess?.(engine);
    },
  });
}
