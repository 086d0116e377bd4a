import { http, HttpResponse } from 'msw';

import type { PromptCreate, PromptLibrary, PromptUpdate } from '@/types/api';

import { db } from '../db';

export const API = 'http://localhost:3000/api';

export function errorBody(status: number, code: string, message: string, traceId = 'feedc0ffee0123456789abcdef012345') {
  return HttpResponse.json(
    { error: { code, message, details: null }, trace_id: traceId },
    { status, headers: { 'X-Trace-Id': traceId } },
  );
}

export const promptHandlers = [
  http.get(`${API}/prompts`, ({ request }) => {
    const url = new URL(request.url);
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = db
      .all()
      .filter((p) => !q || p.title.toLowerCase().includes(q) || p.content.toLowerCase().includes(q));
    const items = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : null;
    return HttpResponse.json({ items, total: matching.length, next_cursor: next });
  }),

  http.post(`${API}/prompts`, async ({ request }) => {
    const body = (await request.json()) as PromptCreate;
    if (!body.content.trim()) {
      return errorBody(422, 'validation_error', 'content: must not be empty or only spaces');
    }
    const prompt = db.add(body);
    return HttpResponse.json(prompt, { status: 201, headers: { Location: `/api/prompts/${prompt.id}` } });
  }),

  http.get(`${API}/prompts/export`, () =>
    HttpResponse.json(
      { format: 'storybot.prompts', version: 1, prompts: db.all() },
      { headers: { 'Content-Disposition': 'attachment; filename="storybot-prompts.json"' } },
    ),
  ),

  http.post(`${API}/prompts/import`, async ({ request }) => {
    const library = (await request.json()) as PromptLibrary;
    return HttpResponse.json({ created: library.prompts.length, updated: 0 });
  }),

  http.get(`${API}/prompts/:id`, ({ params }) => {
    const prompt = db.get(Number(params.id));
    return prompt ? HttpResponse.json(prompt) : errorBody(404, 'not_found', `There is no prompt with id ${String(params.id)}.`);
  }),

  http.patch(`${API}/prompts/:id`, async ({ params, request }) => {
    const prompt = db.update(Number(params.id), (await request.json()) as PromptUpdate);
    return prompt ? HttpResponse.json(prompt) : errorBody(404, 'not_found', 'There is no such prompt.');
  }),

  http.delete(`${API}/prompts/:id`, ({ params }) =>
    db.remove(Number(params.id)) ? new HttpResponse(null, { status: 204 }) : errorBody(404, 'not_found', 'Gone.'),
  ),
];
