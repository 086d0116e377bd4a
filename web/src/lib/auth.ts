import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';

import { paths } from '@/config/paths';
import { apiFetch, setCsrfToken } from '@/lib/api-client';

// Who is signed in (`GET /api/me`), shared by the layout's user menu and every
// feature that shows or hides what only an admin may do.

export type Role = 'admin' | 'member';

export type Quota = {
  /** Tokens a day the account may spend on stories; null: no limit. */
  daily_tokens: number | null;
  used_today: number;
  /** When `used_today` starts again from zero (the next UTC midnight). */
  resets_at: string;
};

export type Me = {
  id: number;
  email: string;
  role: Role;
  created_at: string;
  /** Sent back as X-CSRF-Token with every change; null when signed in by an API token. */
  csrf_token: string | null;
  quota: Quota;
};

export const ME_QUERY_KEY = ['me'] as const;

export async function getMe({ signal }: { signal?: AbortSignal } = {}): Promise<Me> {
  const me = await apiFetch<Me>('/me', { signal });
  setCsrfToken(me.csrf_token);
  return me;
}

export function getMeQueryOptions() {
  return queryOptions({
    queryKey: ME_QUERY_KEY,
    queryFn: ({ signal }) => getMe({ signal }),
    // The gate below says what a failure means; no toast.
    meta: { silent: true },
  });
}

/** The signed-in account (loaded by the layout's gate, `RequireUser`, before any page under it shows). */
export function useUser() {
  return useQuery(getMeQueryOptions());
}

/** Whether the signed-in account may change what only an admin may (settings, engines, users). */
export function useIsAdmin(): boolean {
  return useUser().data?.role === 'admin';
}

/**
 * Start a session in the app after sign-in or setup: nothing cached for the
 * previous account survives (another family's readers must never flash up),
 * and the answer's CSRF token is kept for the next change.
 */
export function startSession(queryClient: QueryClient, me: Me): void {
  queryClient.clear();
  setCsrfToken(me.csrf_token);
  queryClient.setQueryData(ME_QUERY_KEY, me);
}

/** End the session in the app: the cache and the CSRF token go. */
export function endSession(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.clear();
}

/** A path of this app to come back to after signing in; anything else (another site) is home. */
export function safeNext(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return paths.stories.href();
  const pathname = value.split(/[?#]/)[0] ?? '';
  if (pathname === paths.signIn.path || pathname === paths.setup.path) return paths.stories.href();
  return value;
}

/** Sign out (`POST /api/auth/logout`), then go to the sign-in page. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => apiFetch<undefined>('/auth/logout', { method: 'POST' }),
    onSuccess: async () => {
      await navigate(paths.signIn.href(), { replace: true });
      endSession(queryClient);
    },
  });
}
