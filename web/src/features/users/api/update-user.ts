import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import { ME_QUERY_KEY } from '@/lib/auth';

import { getUsersQueryOptions } from './get-users';
import type { User, UserPatch } from './types';

export function updateUser({ id, ...patch }: UserPatch & { id: number }): Promise<User> {
  return apiFetch<User>(`/users/${id}`, { method: 'PATCH', json: patch });
}

type Options = {
  onSuccess?: (user: User) => void;
  /** The caller shows the error itself (a form beside its field). */
  silent?: boolean;
};

/** Change an account: role, disabled, daily quota, or a new password. */
export function useUpdateUser({ onSuccess, silent = false }: Options = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateUser,
    meta: { silent },
    onSuccess: async (user) => {
      queryClient.setQueryData(getUsersQueryOptions().queryKey, (list) =>
        list ? { items: list.items.map((item) => (item.id === user.id ? user : item)) } : list,
      );
      // The admin's own quota or role may be what changed.
      await queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
      onSuccess?.(user);
    },
  });
}
