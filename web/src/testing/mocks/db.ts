import type { Prompt, PromptCreate, PromptUpdate } from '@/types/api';

// An in-memory prompt library that behaves like the server's, for MSW handlers.

let prompts: Prompt[] = [];
let nextId = 1;

function uuid(id: number): string {
  return `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`;
}

export const db = {
  reset(): void {
    prompts = [];
    nextId = 1;
  },
  add(data: PromptCreate): Prompt {
    const id = nextId++;
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString();
    const prompt: Prompt = {
      id,
      uuid: uuid(id),
      title: data.title ?? '',
      content: data.content,
      tags: data.tags ?? [],
      // As the server stores them: every field there.
      variables: (data.variables ?? []).map((v) => ({ type: 'text', label: null, default: null, options: [], ...v })),
      created_at: now,
      updated_at: now,
    };
    prompts.push(prompt);
    return prompt;
  },
  /** Newest first, like the server. */
  all(): Prompt[] {
    return [...prompts].sort((a, b) => b.id - a.id);
  },
  get(id: number): Prompt | undefined {
    return prompts.find((p) => p.id === id);
  },
  update(id: number, data: PromptUpdate): Prompt | undefined {
    const prompt = this.get(id);
    if (!prompt) return undefined;
    Object.assign(prompt, data, { updated_at: new Date().toISOString() });
    return prompt;
  },
  remove(id: number): boolean {
    const before = prompts.length;
    prompts = prompts.filter((p) => p.id !== id);
    return prompts.length < before;
  },
};
