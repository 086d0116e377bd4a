import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import type { User, UserCreate } from './types';

export function createUser(data: UserCreate): Promise<User> {
  return apiFetch<User>('/users', { method: 'POST', json: data });
}

/** Add an account; the form shows what the server refuses (a taken email, say). */
export function useCreateUser({ onSuccess }: { onSuccess?: (user: User) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    meta: { silent: true },
    onSuccess: async (user) => {
      await queryClient.invalidateQueries({ queryKey: ['users', 'list'] });
      onSuccess?.(user);
    },
  });
}
