import { MutationCache, QueryCache, QueryClient, type DefaultOptions } from '@tanstack/react-query';

import { isApiError } from '@/lib/api-client';
import { notifyError } from '@/lib/notify';

// Module augmentation needs an interface.
/* eslint-disable @typescript-eslint/consistent-type-definitions */
declare module '@tanstack/react-query' {
  interface Register {
    // `meta.silent`: the caller shows the error itself.
    queryMeta: { silent?: boolean };
    mutationMeta: { silent?: boolean };
  }
}
/* eslint-enable @typescript-eslint/consistent-type-definitions */

function shouldRetry(failureCount: number, error: unknown): boolean {
  // A 4xx answer will not change by asking again; a lost connection or a 5xx might.
  if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export const queryConfig = {
  queries: {
    refetchOnWindowFocus: false,
    staleTime: 30_000,
    retry: shouldRetry,
  },
  mutations: {
    retry: false,
  },
} satisfies DefaultOptions;

/** The query client: every failed request, unless marked silent, ends in an error toast. */
export function createQueryClient(overrides: DefaultOptions = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { ...queryConfig.queries, ...overrides.queries },
      mutations: { ...queryConfig.mutations, ...overrides.mutations },
    },
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (!query.meta?.silent) notifyError(error);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!mutation.meta?.silent) notifyError(error);
      },
    }),
  });
}

export type ApiFnReturnType<FnType extends (...args: never[]) => Promise<unknown>> = Awaited<
  ReturnType<FnType>
>;
