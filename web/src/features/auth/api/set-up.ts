import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import { startSession, type Me } from '@/lib/auth';

import type { Credentials } from './credentials';

export function setUp(data: Credentials): Promise<Me> {
  return apiFetch<Me>('/auth/setup', { method: 'POST', json: data });
}

/** Create the first account (an admin); the browser is signed in with it. */
export function useSetUp({ onSuccess }: { onSuccess?: (me: Me) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: setUp,
    // The form shows what went wrong beside its fields.
    meta: { silent: true },
    onSuccess: (me) => {
      startSession(queryClient, me);
      onSuccess?.(me);
    },
  });
}
