import { useMutation } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

export type PasswordChange = {
  current_password: string;
  new_password: string;
};

export function changePassword(data: PasswordChange): Promise<undefined> {
  return apiFetch<undefined>('/me/password', { method: 'POST', json: data });
}

/** Change the signed-in account's password; the server ends its other sessions. */
export function useChangePassword({ onSuccess }: { onSuccess?: () => void } = {}) {
  return useMutation({
    mutationFn: changePassword,
    meta: { silent: true },
    onSuccess: () => onSuccess?.(),
  });
}
