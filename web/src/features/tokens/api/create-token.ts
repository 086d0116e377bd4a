import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import type { ApiTokenCreate, NewApiToken } from './types';

export function createToken(data: ApiTokenCreate): Promise<NewApiToken> {
  return apiFetch<NewApiToken>('/tokens', { method: 'POST', json: data });
}

/** Make a new API token; the answer holds the whole token, shown once. */
export function useCreateToken({ onSuccess }: { onSuccess?: (token: NewApiToken) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createToken,
    meta: { silent: true },
    onSuccess: async (token) => {
      onSuccess?.(token);
      await queryClient.invalidateQueries({ queryKey: ['tokens', 'list'] });
    },
  });
}
