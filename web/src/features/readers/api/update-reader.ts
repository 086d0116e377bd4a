import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Reader, ReaderUpdate } from '@/types/api';

import { getReaderQueryOptions } from './get-reader';

export function updateReader({ readerId, data }: { readerId: number; data: ReaderUpdate }): Promise<Reader> {
  return apiFetch<Reader>(`/profiles/${readerId}`, { method: 'PATCH', json: data });
}

type Variables = { readerId: number; data: ReaderUpdate };

/** Save changes to a reader. */
export function useUpdateReader(
  options: Pick<UseMutationOptions<Reader, Error, Variables>, 'onSuccess' | 'onError'> = {},
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateReader,
    onSuccess: async (reader, ...rest) => {
      queryClient.setQueryData(getReaderQueryOptions(reader.id).queryKey, reader);
      await queryClient.invalidateQueries({ queryKey: ['readers', 'list'] });
      options.onSuccess?.(reader, ...rest);
    },
    onError: options.onError,
  });
}
