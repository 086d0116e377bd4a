import type { TFunction } from 'i18next';

import type { ApiError } from '@/lib/api-client';

/** The values a server message is worded with (docs/api.md, "Messages"). */
export type MessageParams = Record<string, string | number | boolean>;

/** One item of a 422's `details`. */
export type ValidationDetail = {
  field?: string;
  message?: string;
  code?: string;
  type?: string;
  params?: MessageParams;
};

// Keys in the locales hold only letters, digits and "_"; anything else is no code of ours.
const CODE = /^[a-z][a-z0-9_]*$/;

function isParams(value: unknown): value is MessageParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A failure or engine-health message in the UI's language, from its code and params.
 *
 * `params.cause` picks the code's precise wording (i18next's context:
 * `unavailable_refused`), and without it the code's general wording is used
 * (stories saved before params existed). Only a code the UI does not know
 * shows the server's English `fallback`.
 */
export function wordMessage(t: TFunction, code: string | null | undefined, params: unknown, fallback: string): string {
  if (!code || !CODE.test(code)) return fallback;
  const values = isParams(params) ? params : {};
  const cause = typeof values.cause === 'string' && CODE.test(values.cause) ? values.cause : undefined;
  return t(`messages.${code}`, { ...values, context: cause, defaultValue: fallback });
}

function fieldName(t: TFunction, field: string): string {
  const top = field.split('.')[0] ?? field;
  if (top === 'variables') return field.slice('variables.'.length) || field;
  return t(`fields.${top}`, { defaultValue: field });
}

/** One 422 detail in the UI's language ("Name: at most 60 characters"), from its code. */
export function wordDetail(t: TFunction, detail: ValidationDetail, options: { withField?: boolean } = {}): string {
  const code = detail.code ?? detail.type;
  const english = detail.message ?? '';
  const text = code && CODE.test(code) ? t(`validation.${code}`, { ...(isParams(detail.params) ? detail.params : {}), defaultValue: english }) : english;
  if (!options.withField || !detail.field) return text;
  return t('validation.withField', { field: fieldName(t, detail.field), message: text });
}

/** The details of a 422 answer (an empty list for any other error). */
export function validationDetails(error: ApiError): ValidationDetail[] {
  if (error.code !== 'validation_error' || !Array.isArray(error.details)) return [];
  return (error.details as unknown[]).filter((d): d is ValidationDetail => typeof d === 'object' && d !== null);
}

/** What a failed request means, in the UI's language: the error's code, or its first 422 detail. */
export function wordApiError(t: TFunction, error: ApiError): string {
  const [first] = validationDetails(error);
  if (first) return wordDetail(t, first, { withField: true });
  return t(`errors.${error.code}`, { defaultValue: error.message });
}

/** A 422's details worded by field (the top-level field name), for messages beside the inputs. */
export function fieldErrors(t: TFunction, error: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  if (!(typeof error === 'object' && error !== null && 'code' in error)) return found;
  for (const detail of validationDetails(error as ApiError)) {
    const field = detail.field?.split('.')[0];
    if (field && !(field in found)) found[field] = wordDetail(t, detail);
  }
  return found;
}
