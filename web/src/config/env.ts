/**
 * Build-time configuration (`VITE_*` variables), checked once when the app
 * starts so that a bad value fails loudly at the first page load instead of
 * at the first request. Hand-checked: a schema library would cost more
 * initial JavaScript than the whole app shell.
 */
export type Env = {
  /** Where the API lives: `/api` on the same origin unless told otherwise. */
  API_BASE_URL: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function apiBaseUrl(value: unknown): string {
  if (value === undefined || value === null) return '/api';
  if (typeof value !== 'string') throw new ConfigError('VITE_API_BASE_URL must be a string');
  const trimmed = value.trim().replace(/\/+$/, '');
  if (trimmed === '') return '/api';
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
  if (/^https?:\/\/[^/\s]+(\/\S*)?$/.test(trimmed)) return trimmed;
  throw new ConfigError(`VITE_API_BASE_URL must be a path such as /api or an http(s) URL, not "${value}"`);
}

export function parseEnv(source: Record<string, unknown>): Env {
  return { API_BASE_URL: apiBaseUrl(source.VITE_API_BASE_URL) };
}

export const env = parseEnv(import.meta.env);
