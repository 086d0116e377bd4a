import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { Prompt, PromptUpdate } from '@/types/api';

import { getPromptQueryOptions } from './get-prompt';

export function updatePrompt({ promptId, data }: { promptId: number; data: PromptUpdate }): Promise<Prompt> {
  return apiFetch<Prompt>(`/prompts/${promptId}`, { method: 'PATCH', json: data });
}

type Variables = { promptId: number; data: PromptUpdate };

/** Save changes to a prompt. */
export function useUpdatePrompt(options: Pick<UseMutationOptions<Prompt, Error, Variables>, 'onSuccess'> = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updatePrompt,
    onSuccess: async (prompt, ...rest) => {
      queryClient.setQueryData(getPromptQueryOptions(prompt.id).queryKey, prompt);
      await queryClient.invalidateQueries({ queryKey: ['prompts', 'list'] });
      options.onSuccess?.(prompt, ...rest);
    },
  });
}
