import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { apiFetch } from '@/lib/api-client';
import { endSession } from '@/lib/auth';

export function deleteAccount(password: string): Promise<undefined> {
  return apiFetch<undefined>('/me', { method: 'DELETE', json: { password } });
}

/** Delete the signed-in account and everything it owns; the app goes back to the sign-in page. */
export function useDeleteAccount() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: deleteAccount,
    meta: { silent: true },
    onSuccess: async () => {
      await navigate(paths.signIn.href(), { replace: true });
      endSession(queryClient);
    },
  });
}
