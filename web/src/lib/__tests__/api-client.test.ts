import { http, HttpResponse } from 'msw';

import { ApiError, apiFetch, apiUrl, getCsrfToken, newTraceId, setCsrfToken, setUnauthorizedHandler } from '@/lib/api-client';
import { authDb } from '@/testing/mocks/handlers/auth';
import { API } from '@/testing/mocks/handlers/prompts';
import { server } from '@/testing/mocks/server';
import { recordRequests } from '@/testing/test-utils';

describe('apiFetch', () => {
  it('builds URLs under the API base, leaving empty parameters out', () => {
    expect(apiUrl('/prompts', { q: 'fox', cursor: null, limit: 20, tag: '' })).toBe(`${API}/prompts?q=fox&limit=20`);
    expect(apiUrl('prompts')).toBe(`${API}/prompts`);
  });

  it('sends a new 32-hex trace id with every request', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${API}/ping`, ({ request }) => {
        seen.push(request.headers.get('X-Trace-Id') ?? '');
        return HttpResponse.json({ ok: true });
      }),
    );
    await apiFetch('/ping');
    await apiFetch('/ping');
    expect(seen).toHaveLength(2);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[0]).not.toBe(seen[1]);
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sends JSON bodies and returns JSON answers; 204 is undefined', async () => {
    server.use(
      http.post(`${API}/echo`, async ({ request }) => {
        expect(request.headers.get('Content-Type')).toBe('application/json');
        return HttpResponse.json({ got: await request.json() });
      }),
      http.delete(`${API}/echo`, () => new HttpResponse(null, { status: 204 })),
    );
    await expect(apiFetch('/echo', { method: 'POST', json: { a: 1 } })).resolves.toEqual({ got: { a: 1 } });
    await expect(apiFetch('/echo', { method: 'DELETE' })).resolves.toBeUndefined();
  });

  it('turns the error envelope into an ApiError', async () => {
    server.use(
      http.post(`${API}/prompts`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: 'content: String should have at least 1 character',
              details: [{ field: 'content', message: 'too short', type: 'string_too_short' }],
            },
            trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
          },
          { status: 422 },
        ),
      ),
    );
    const error = await apiFetch('/prompts', { method: 'POST', json: { content: '' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'validation_error',
      status: 422,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      message: 'content: String should have at least 1 character',
      details: [{ field: 'content', message: 'too short', type: 'string_too_short' }],
    });
  });

  it('describes a non-JSON error by its status, with the trace id it sent', async () => {
    let sent = '';
    server.use(
      http.get(`${API}/gateway`, ({ request }) => {
        sent = request.headers.get('X-Trace-Id') ?? '';
        return new HttpResponse('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
      }),
    );
    const error = (await apiFetch('/gateway').catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('http_error');
    expect(error.status).toBe(502);
    expect(error.traceId).toBe(sent);
  });

  it('reports a lost connection as network_error', async () => {
    server.use(http.get(`${API}/down`, () => HttpResponse.error()));
    const error = (await apiFetch('/down').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('network_error');
    expect(error.status).toBe(0);
    expect(error.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('apiFetch and the session', () => {
  it('sends the CSRF token from GET /api/me with unsafe methods only, and the cookie with all', async () => {
    const requests = recordRequests();
    const seen: RequestCredentials[] = [];
    server.events.on('request:start', ({ request }) => seen.push(request.credentials));

    await apiFetch('/prompts');
    await apiFetch('/prompts', { method: 'POST', json: { content: 'A fox' } });
    await apiFetch('/prompts/1', { method: 'PATCH', json: { title: 'Fox' } });
    await apiFetch('/prompts/1', { method: 'DELETE' });

    expect(requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /api/prompts',
      'GET /api/me', // once, for the token, before the first change
      'POST /api/prompts',
      'PATCH /api/prompts/1',
      'DELETE /api/prompts/1',
    ]);
    expect(requests[0]?.headers.has('X-CSRF-Token')).toBe(false);
    for (const request of requests.slice(2)) expect(request.headers.get('X-CSRF-Token')).toBe(authDb.csrf());
    expect(new Set(seen)).toEqual(new Set(['same-origin']));
  });

  it('asks /api/me for a fresh token on 403 csrf_failed and tries once more', async () => {
    setCsrfToken('stale');
    const requests = recordRequests();
    await expect(apiFetch('/prompts', { method: 'POST', json: { content: 'A fox' } })).resolves.toMatchObject({ content: 'A fox' });
    expect(requests.map((r) => `${r.method} ${r.url.pathname} ${r.headers.get('X-CSRF-Token') ?? ''}`.trim())).toEqual([
      'POST /api/prompts stale',
      'GET /api/me',
      `POST /api/prompts ${authDb.csrf()}`,
    ]);
    expect(getCsrfToken()).toBe(authDb.csrf());
  });

  it('tries only once: a second csrf_failed is the answer', async () => {
    server.use(http.post(`${API}/stubborn`, () => HttpResponse.json({ error: { code: 'csrf_failed', message: 'no', details: null }, trace_id: null }, { status: 403 })));
    const requests = recordRequests();
    const error = (await apiFetch('/stubborn', { method: 'POST' }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('csrf_failed');
    expect(requests.filter((r) => r.url.pathname === '/api/stubborn')).toHaveLength(2);
  });

  it('tells the unauthorized handler of a 401, but not of a wrong password', async () => {
    const heard: string[] = [];
    setUnauthorizedHandler((error) => heard.push(error.code));
    authDb.signOut();
    await expect(apiFetch('/prompts')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(apiFetch('/auth/login', { method: 'POST', json: { email: 'a@b.c', password: 'nope nope' } })).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect(heard).toEqual(['unauthorized']);
  });

  it('keeps Retry-After on the error', async () => {
    server.use(http.post(`${API}/auth/login`, () => HttpResponse.json({ error: { code: 'too_many_requests', message: 'slow down', details: null }, trace_id: null }, { status: 429, headers: { 'Retry-After': '120' } })));
    const error = (await apiFetch('/auth/login', { method: 'POST', json: {} }).catch((e: unknown) => e)) as ApiError;
    expect(error.retryAfter).toBe(120);
  });
});
