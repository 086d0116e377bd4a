import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import { getReaderQueryOptions } from './get-reader';

type Variables = { readerId: number };

/** Delete a reader with everything about them: their stories go too. */
export function deleteReader({ readerId }: Variables): Promise<undefined> {
  return apiFetch<undefined>(`/profiles/${readerId}`, { method: 'DELETE' });
}

export function useDeleteReader(options: Pick<UseMutationOptions<undefined, Error, Variables>, 'onSuccess'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteReader,
    onSuccess: async (data, variables, ...rest) => {
      queryClient.removeQueries({ queryKey: getReaderQueryOptions(variables.readerId).queryKey });
      await queryClient.invalidateQueries({ queryKey: ['readers', 'list'] });
      // Their stories are gone: story lists and pages refetch (and find them missing).
      await queryClient.invalidateQueries({ queryKey: ['stories'] });
      options.onSuccess?.(data, variables, ...rest);
    },
  });
}
