import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Reader, ReaderCreate } from '@/types/api';

export function createReader(data: ReaderCreate): Promise<Reader> {
  return apiFetch<Reader>('/profiles', { method: 'POST', json: data });
}

/** Add a reader; the list refreshes when it is saved. */
export function useCreateReader(
  options: Pick<UseMutationOptions<Reader, Error, ReaderCreate>, 'onSuccess' | 'onError'> = {},
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createReader,
    onSuccess: async (reader, ...rest) => {
      await queryClient.invalidateQueries({ queryKey: ['readers', 'list'] });
      options.onSuccess?.(reader, ...rest);
    },
    onError: options.onError,
  });
}
