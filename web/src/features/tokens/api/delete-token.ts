import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

export function deleteToken(id: number): Promise<undefined> {
  return apiFetch<undefined>(`/tokens/${id}`, { method: 'DELETE' });
}

/** Revoke an API token: scripts using it are refused from now on. */
export function useDeleteToken({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteToken,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['tokens', 'list'] });
      onSuccess?.();
    },
  });
}
