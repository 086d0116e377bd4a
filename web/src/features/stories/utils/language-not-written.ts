import { isApiError } from '@/lib/api-client';

export type LanguageNotWritten = {
  type: 'language_not_written';
  params: { engine: string; language: string; languages: string[] };
};

/** The detail of a 422 saying no engine writes the story's language, if that is what it says. */
export function languageNotWritten(error: unknown): LanguageNotWritten | null {
  if (!isApiError(error) || !Array.isArray(error.details)) return null;
  const found: unknown = error.details.find(
    (d: unknown) => typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'language_not_written',
  );
  const params = (found as { params?: unknown } | undefined)?.params;
  if (typeof params !== 'object' || params === null) return null;
  return found as LanguageNotWritten;
}
