import { http, HttpResponse } from 'msw';

import { ApiError, apiFetch, apiUrl, newTraceId } from '@/lib/api-client';
import { API } from '@/testing/mocks/handlers/prompts';
import { server } from '@/testing/mocks/server';

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
