import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import { startSession, type Me } from '@/lib/auth';

import type { Credentials } from './credentials';

export function signIn(data: Credentials): Promise<Me> {
  return apiFetch<Me>('/auth/login', { method: 'POST', json: data });
}

/** Sign in with an email and a password; the session cookie comes with the answer. */
export function useSignIn({ onSuccess }: { onSuccess?: (me: Me) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    meta: { silent: true },
    onSuccess: (me) => {
      startSession(queryClient, me);
      onSuccess?.(me);
    },
  });
}
