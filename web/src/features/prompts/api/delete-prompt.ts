import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';

import { getPromptQueryOptions } from './get-prompt';

export function deletePrompt({ promptId }: { promptId: number }): Promise<undefined> {
  return apiFetch<undefined>(`/prompts/${promptId}`, { method: 'DELETE' });
}

type Variables = { promptId: number };

/** Delete a prompt; it leaves the list once the server confirms. */
export function useDeletePrompt(options: Pick<UseMutationOptions<undefined, Error, Variables>, 'onSuccess'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deletePrompt,
    onSuccess: async (data, variables, ...rest) => {
      queryClient.removeQueries({ queryKey: getPromptQueryOptions(variables.promptId).queryKey });
      await queryClient.invalidateQueries({ queryKey: ['prompts', 'list'] });
      options.onSuccess?.(data, variables, ...rest);
    },
  });
}
