import type { Prompt } from '@/types/api';

const NAME_LENGTH = 60;

/** What to call a prompt: its title, else the start of its text. */
export function promptName(prompt: Pick<Prompt, 'title' | 'content'>): string {
  if (prompt.title.trim()) return prompt.title.trim();
  const text = prompt.content.replace(/\s+/g, ' ').trim();
  return text.length > NAME_LENGTH ? `${text.slice(0, NAME_LENGTH - 1)}…` : text;
}
