import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Prompt, PromptCreate } from '@/types/api';

export function createPrompt(data: PromptCreate): Promise<Prompt> {
  return apiFetch<Prompt>('/prompts', { method: 'POST', json: data });
}

/** Add a prompt; the list refreshes when it is saved. */
export function useCreatePrompt(options: Pick<UseMutationOptions<Prompt, Error, PromptCreate>, 'onSuccess'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createPrompt,
    onSuccess: async (prompt, ...rest) => {
      await queryClient.invalidateQueries({ queryKey: ['prompts', 'list'] });
      options.onSuccess?.(prompt, ...rest);
    },
  });
}
