import { env } from '@/config/env';
import type { ErrorEnvelope } from '@/types/api';

/** An error answer of the API (or a request that never got one), ready to show. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly traceId: string;
  readonly details: unknown;

  constructor(init: { code: string; message: string; status: number; traceId: string; details?: unknown }) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.traceId = init.traceId;
    this.details = init.details ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** A new random trace id: 128 bits as 32 hex digits, the form the server generates. */
export function newTraceId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export type QueryValue = string | number | boolean | null | undefined;

export type ApiFetchOptions = Omit<RequestInit, 'body'> & {
  /** A value sent as JSON (with its content type), or a raw body. */
  json?: unknown;
  body?: BodyInit | null;
  /** Query parameters; null, undefined and empty values are left out. */
  params?: Record<string, QueryValue>;
};

/** The absolute URL of an API endpoint such as `/prompts`. */
export function apiUrl(endpoint: string, params?: Record<string, QueryValue>): string {
  const path = endpoint.startsWith('/') ? endpoint : `/${endpoint}`;
  const url = new URL(`${env.API_BASE_URL}${path}`, window.location.origin);
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function isEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

async function toApiError(response: Response, sentTraceId: string): Promise<ApiError> {
  const traceId = response.headers.get('X-Trace-Id') ?? sentTraceId;
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page, say): described by the status alone.
  }
  if (isEnvelope(body)) {
    return new ApiError({
      code: body.error.code,
      message: body.error.message,
      details: body.error.details,
      status: response.status,
      traceId: body.trace_id ?? traceId,
    });
  }
  return new ApiError({
    code: 'http_error',
    message: `${response.status} ${response.statusText}`.trim(),
    status: response.status,
    traceId,
  });
}

/**
 * Call the API and return the raw response when it succeeded.
 *
 * Every request carries its own `X-Trace-Id`, so a failure the user reports
 * can be found in the server's logs; failures throw {@link ApiError}.
 */
export async function apiFetchResponse(endpoint: string, options: ApiFetchOptions = {}): Promise<Response> {
  const { json, params, headers: given, body, ...init } = options;
  const traceId = newTraceId();
  const headers = new Headers(given);
  headers.set('X-Trace-Id', traceId);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  let requestBody: BodyInit | null | undefined = body;
  if (json !== undefined) {
    headers.set('Content-Type', 'application/json');
    requestBody = JSON.stringify(json);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(endpoint, params), { ...init, headers, body: requestBody });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      code: 'network_error',
      message: error instanceof Error ? error.message : String(error),
      status: 0,
      traceId,
    });
  }
  if (!response.ok) throw await toApiError(response, traceId);
  return response;
}

/** Call the API and return its JSON answer (`undefined` for an empty one, such as 204). */
export async function apiFetch<T>(endpoint: string, options: ApiFetchOptions = {}): Promise<T> {
  const response = await apiFetchResponse(endpoint, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError({
      code: 'invalid_response',
      message: 'The server answered with something that is not JSON.',
      status: response.status,
      traceId: response.headers.get('X-Trace-Id') ?? '',
    });
  }
}
