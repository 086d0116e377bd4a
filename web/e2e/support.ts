import type { APIRequestContext } from '@playwright/test';

/** A text no other test uses, so tests never see each other's prompts. */
export function unique(label: string): string {
  return `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export type PromptOut = { id: number; title: string; content: string };

/** Add a prompt straight through the API (the UI is not what such a test checks). */
export async function createPrompt(request: APIRequestContext, data: { content: string; title?: string }): Promise<PromptOut> {
  const response = await request.post('/api/prompts', { data });
  if (response.status() !== 201) throw new Error(`POST /api/prompts: ${response.status()} ${await response.text()}`);
  return (await response.json()) as PromptOut;
}
