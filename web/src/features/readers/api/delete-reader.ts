import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import { getReaderQueryOptions } from './get-reader';

type Variables = { readerId: number; deleteStories: boolean };

/** Delete a reader; their stories stay unless `deleteStories`. */
export function deleteReader({ readerId, deleteStories }: Variables): Promise<undefined> {
  return apiFetch<undefined>(`/profiles/${readerId}`, {
    method: 'DELETE',
    params: { delete_stories: deleteStories ? 'true' : undefined },
  });
}

export function useDeleteReader(options: Pick<UseMutationOptions<undefined, Error, Variables>, 'onSuccess'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteReader,
    onSuccess: async (data, variables, ...rest) => {
      queryClient.removeQueries({ queryKey: getReaderQueryOptions(variables.readerId).queryKey });
      await queryClient.invalidateQueries({ queryKey: ['readers', 'list'] });
      // The reader's stories are gone or now show the kept name: let story lists refetch.
      await queryClient.invalidateQueries({ queryKey: ['stories'] });
      options.onSuccess?.(data, variables, ...rest);
    },
  });
}
