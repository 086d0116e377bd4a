import { useMutation } from '@tanstack/react-query';

import { apiFetchResponse } from '@/lib/api-client';

const DEFAULT_FILE_NAME = 'storybot-prompts.json';

function fileNameOf(response: Response): string {
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  return match?.[1] ?? DEFAULT_FILE_NAME;
}

/** Fetch the whole library as a file and hand it to the browser as a download. */
export async function exportPrompts(): Promise<string> {
  const response = await apiFetchResponse('/prompts/export');
  const blob = await response.blob();
  const fileName = fileNameOf(response);
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start the download after click() returns.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return fileName;
}

export function useExportPrompts(options: { onSuccess?: (fileName: string) => void } = {}) {
  return useMutation({ mutationFn: exportPrompts, onSuccess: (fileName) => options.onSuccess?.(fileName) });
}
