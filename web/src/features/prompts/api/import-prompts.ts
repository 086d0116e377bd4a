import { useMutation, useQueryClient } from '@tanstack/react-query';

import { apiFetch } from '@/lib/api-client';
import type { ImportResult, PromptLibrary } from '@/types/api';

/** The export file's contents, or null when the file is not a Storybot prompt export. */
export async function readLibraryFile(file: File): Promise<PromptLibrary | null> {
  try {
    const data: unknown = JSON.parse(await file.text());
    if (
      typeof data === 'object' &&
      data !== null &&
      (data as { format?: unknown }).format === 'storybot.prompts' &&
      Array.isArray((data as { prompts?: unknown }).prompts)
    ) {
      return data as PromptLibrary;
    }
  } catch {
    // not JSON: answered below
  }
  return null;
}

export function importPrompts(library: PromptLibrary): Promise<ImportResult> {
  return apiFetch<ImportResult>('/prompts/import', { method: 'POST', json: library });
}

/** Add or update prompts from an export file. */
export function useImportPrompts(options: { onSuccess?: (result: ImportResult) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: importPrompts,
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['prompts'] });
      options.onSuccess?.(result);
    },
  });
}
