import { env } from '@/config/env';
import type { ErrorEnvelope } from '@/types/api';

/** An error answer of the API (or a request that never got one), ready to show. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly traceId: string;
  readonly details: unknown;
  /** Seconds to wait before asking again (a 429's or 503's `Retry-After`), when the server said. */
  readonly retryAfter: number | null;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    traceId: string;
    details?: unknown;
    retryAfter?: number | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.traceId = init.traceId;
    this.details = init.details ?? null;
    this.retryAfter = init.retryAfter ?? null;
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

function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

async function toApiError(response: Response, sentTraceId: string): Promise<ApiError> {
  const traceId = response.headers.get('X-Trace-Id') ?? sentTraceId;
  const retryAfter = retryAfterSeconds(response);
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
      retryAfter,
    });
  }
  return new ApiError({
    code: 'http_error',
    message: `${response.status} ${response.statusText}`.trim(),
    status: response.status,
    traceId,
    retryAfter,
  });
}

// The session: the cookie is the browser's; what the app keeps is the CSRF token that
// unsafe requests repeat in a header (the server's double check that this page sent them).
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CSRF_HEADER = 'X-CSRF-Token';

let csrfToken: string | null = null;
let csrfPending: Promise<string | null> | null = null;
let unauthorizedHandler: ((error: ApiError) => void) | null = null;

/** Keep the CSRF token of the signed-in session (from `GET /api/me`, sign-in or setup); null forgets it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF token kept for this session, if any. */
export function getCsrfToken(): string | null {
  return csrfToken;
}

/**
 * Who hears of a 401 `unauthorized` (the session ended or never was): the app
 * sends the person to the sign-in page. Returns a function that removes it.
 */
export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | null): () => void {
  unauthorizedHandler = handler;
  return () => {
    if (unauthorizedHandler === handler) unauthorizedHandler = null;
  };
}

/** Whether the API lives on another origin: the cookie then goes only with `credentials: 'include'`. */
export function credentialsFor(url: string): RequestCredentials {
  return new URL(url).origin === window.location.origin ? 'same-origin' : 'include';
}

/** Ask `GET /me` for a fresh CSRF token; one request at a time however many callers wait. */
export function refreshCsrfToken(): Promise<string | null> {
  csrfPending ??= (async () => {
    try {
      const url = apiUrl('/me');
      const response = await fetch(url, {
        headers: { Accept: 'application/json', 'X-Trace-Id': newTraceId() },
        credentials: credentialsFor(url),
      });
      if (!response.ok) return null;
      const me = (await response.json()) as { csrf_token?: unknown };
      csrfToken = typeof me.csrf_token === 'string' ? me.csrf_token : null;
      return csrfToken;
    } catch {
      return null;
    } finally {
      csrfPending = null;
    }
  })();
  return csrfPending;
}

async function send(url: string, init: RequestInit, traceId: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      code: 'network_error',
      message: error instanceof Error ? error.message : String(error),
      status: 0,
      traceId,
    });
  }
}

/**
 * Call the API and return the raw response when it succeeded.
 *
 * Every request carries its own `X-Trace-Id`, so a failure the user reports
 * can be found in the server's logs; failures throw {@link ApiError}. The
 * session cookie goes along; unsafe methods also send the CSRF token, and a
 * 403 `csrf_failed` (the token changed, say after signing in in another tab)
 * is tried once more with a fresh one. A 401 `unauthorized` is told to the
 * handler of {@link setUnauthorizedHandler} before it is thrown.
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
  const url = apiUrl(endpoint, params);
  const unsafe = UNSAFE_METHODS.has((init.method ?? 'GET').toUpperCase());
  // A bearer token needs no CSRF token; a cookie does.
  const needsCsrf = unsafe && !headers.has('Authorization');
  if (needsCsrf) {
    const token = csrfToken ?? (await refreshCsrfToken());
    if (token) headers.set(CSRF_HEADER, token);
  }
  const request: RequestInit = { ...init, headers, body: requestBody, credentials: credentialsFor(url) };

  let response = await send(url, request, traceId);
  if (!response.ok) {
    let error = await toApiError(response, traceId);
    if (needsCsrf && error.status === 403 && error.code === 'csrf_failed') {
      const fresh = await refreshCsrfToken();
      if (fresh) {
        const retryTraceId = newTraceId();
        headers.set(CSRF_HEADER, fresh);
        headers.set('X-Trace-Id', retryTraceId);
        response = await send(url, request, retryTraceId);
        if (response.ok) return response;
        error = await toApiError(response, retryTraceId);
      }
    }
    if (error.status === 401 && error.code === 'unauthorized') {
      csrfToken = null;
      unauthorizedHandler?.(error);
    }
    throw error;
  }
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
