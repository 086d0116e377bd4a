import { http, HttpResponse } from 'msw';

import type { Reader, ReaderCreate, ReaderUpdate } from '@/types/api';

import { API, errorBody } from './prompts';

// An in-memory list of readers that behaves like the server's /api/profiles.

let readers: Reader[] = [];
let nextId = 1;

export const readersDb = {
  reset(): void {
    readers = [];
    nextId = 1;
  },
  add(data: ReaderCreate): Reader {
    const id = nextId++;
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString();
    const reader: Reader = {
      id,
      uuid: `00000000-0000-4000-9000-${String(id).padStart(12, '0')}`,
      name: data.name.trim(),
      age: data.age ?? null,
      language: data.language ?? 'en',
      reading_level: data.reading_level ?? 'developing',
      interests: data.interests ?? [],
      favourite_things: data.favourite_things ?? [],
      things_to_avoid: data.things_to_avoid ?? [],
      avatar: data.avatar ?? '',
      furigana: data.furigana ?? 'none',
      kanji_grade: data.kanji_grade ?? null,
      created_at: now,
      updated_at: now,
    };
    readers.push(reader);
    return reader;
  },
  /** By name, like the server. */
  all(): Reader[] {
    return [...readers].sort((a, b) => a.name.localeCompare(b.name));
  },
  get(id: number): Reader | undefined {
    return readers.find((r) => r.id === id);
  },
};

function invalid(data: ReaderUpdate) {
  const details: { field: string; message: string; type: string }[] = [];
  if (data.name !== undefined && data.name.length > 60) {
    details.push({ field: 'name', message: 'String should have at most 60 characters', type: 'string_too_long' });
  }
  if (data.age !== undefined && data.age !== null && (data.age < 1 || data.age > 120)) {
    details.push({ field: 'age', message: 'Input should be less than or equal to 120', type: 'less_than_equal' });
  }
  if (details.length === 0) return null;
  return HttpResponse.json(
    { error: { code: 'validation_error', message: `${details[0]?.field ?? ''}: invalid`, details }, trace_id: 'abc123abc123abc123abc123abc12345' },
    { status: 422, headers: { 'X-Trace-Id': 'abc123abc123abc123abc123abc12345' } },
  );
}

export const readerHandlers = [
  http.get(`${API}/profiles`, () => {
    const items = readersDb.all();
    return HttpResponse.json({ items, total: items.length });
  }),

  http.post(`${API}/profiles`, async ({ request }) => {
    const body = (await request.json()) as ReaderCreate;
    const problem = invalid(body);
    if (problem) return problem;
    const reader = readersDb.add(body);
    return HttpResponse.json(reader, { status: 201, headers: { Location: `/api/profiles/${reader.id}` } });
  }),

  http.get(`${API}/profiles/:id`, ({ params }) => {
    const reader = readersDb.get(Number(params.id));
    return reader ? HttpResponse.json(reader) : errorBody(404, 'not_found', 'There is no such reader.');
  }),

  http.patch(`${API}/profiles/:id`, async ({ params, request }) => {
    const reader = readersDb.get(Number(params.id));
    if (!reader) return errorBody(404, 'not_found', 'There is no such reader.');
    const body = (await request.json()) as ReaderUpdate;
    const problem = invalid(body);
    if (problem) return problem;
    Object.assign(reader, body, { updated_at: new Date().toISOString() });
    return HttpResponse.json(reader);
  }),

  http.delete(`${API}/profiles/:id`, ({ params }) => {
    const before = readers.length;
    readers = readers.filter((r) => r.id !== Number(params.id));
    return readers.length < before ? new HttpResponse(null, { status: 204 }) : errorBody(404, 'not_found', 'Gone.');
  }),
];
