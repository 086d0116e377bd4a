import { http, HttpResponse } from 'msw';

import type { Story, StoryCreate, StoryFurigana, StoryUpdate } from '@/types/stories';

import { API, errorBody } from './prompts';

// An in-memory story library for MSW handlers; the event stream is ScriptedEventSource's.

let stories: Story[] = [];
let nextId = 1;
// Scripted answers of GET /stories/:id/furigana, in order; the last one stays.
let furigana = new Map<number, StoryFurigana[]>();

export const storiesDb = {
  reset(): void {
    stories = [];
    nextId = 1;
    furigana = new Map();
  },
  /** Answer the story's furigana requests with these, one per request (the last repeats). */
  scriptFurigana(id: number, answers: StoryFurigana[]): void {
    furigana.set(id, [...answers]);
  },
  add(data: Partial<Story> = {}): Story {
    const id = data.id ?? nextId;
    nextId = Math.max(nextId, id + 1);
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0, id)).toISOString();
    const story: Story = {
      id,
      uuid: `00000000-0000-4000-a000-${String(id).padStart(12, '0')}`,
      status: 'queued',
      title: '',
      text: '',
      body: '',
      language: 'en',
      reader_name: '',
      profile_id: null,
      prompt_id: null,
      favourite: false,
      failure_code: null,
      failure_reason: null,
      failure_params: null,
      trace_id: null,
      queue_position: 0,
      wait_seconds: null,
      resumes: 0,
      last_seq: 0,
      engine: 'builtin',
      model: 'builtin',
      reading_grade: null,
      target_grade: null,
      created_at: now,
      updated_at: now,
      ...data,
    };
    stories.push(story);
    return story;
  },
  get(id: number): Story | undefined {
    return stories.find((s) => s.id === id);
  },
  all(): Story[] {
    return [...stories].sort((a, b) => b.id - a.id);
  },
  requests: [] as StoryCreate[],
};

export const storyHandlers = [
  http.get(`${API}/stories`, ({ request }) => {
    const url = new URL(request.url);
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const profileId = url.searchParams.get('profile_id');
    const favourite = url.searchParams.get('favourite') === 'true';
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const matching = storiesDb
      .all()
      .filter((s) => !q || s.title.toLowerCase().includes(q) || s.text.toLowerCase().includes(q))
      .filter((s) => !profileId || s.profile_id === Number(profileId))
      .filter((s) => !favourite || s.favourite);
    const items = matching.slice(offset, offset + limit).map((s) => ({
      id: s.id,
      status: s.status,
      title: s.title,
      excerpt: s.body.slice(0, 120),
      language: s.language,
      reader_name: s.reader_name,
      profile_id: s.profile_id,
      favourite: s.favourite,
      reading_grade: s.reading_grade,
      target_grade: s.target_grade,
      created_at: s.created_at,
    }));
    const next = offset + limit < matching.length ? String(offset + limit) : null;
    return HttpResponse.json({ items, total: matching.length, next_cursor: next });
  }),

  http.post(`${API}/stories`, async ({ request }) => {
    const body = (await request.json()) as StoryCreate;
    storiesDb.requests.push(body);
    const story = storiesDb.add({ status: 'queued', queue_position: 0, profile_id: body.profile_id ?? null });
    return HttpResponse.json(story, { status: 202, headers: { Location: `/api/stories/${story.id}` } });
  }),

  http.get(`${API}/stories/:id`, ({ params }) => {
    const story = storiesDb.get(Number(params.id));
    return story ? HttpResponse.json(story) : errorBody(404, 'not_found', 'There is no such story.');
  }),

  http.get(`${API}/stories/:id/furigana`, ({ params }) => {
    const id = Number(params.id);
    const story = storiesDb.get(id);
    if (!story) return errorBody(404, 'not_found', 'There is no such story.');
    const answers = furigana.get(id);
    if (answers && answers.length > 0) {
      return HttpResponse.json(answers.length > 1 ? answers.shift() : answers[0]);
    }
    const body = story.text.replace(/^#[^\n]*\n+/u, '');
    const answer: StoryFurigana = {
      furigana: 'none',
      kanji_grade: null,
      segments: [{ text: body, reading: null }],
      source_length: body.length,
      complete: true,
    };
    return HttpResponse.json(answer);
  }),

  http.patch(`${API}/stories/:id`, async ({ params, request }) => {
    const story = storiesDb.get(Number(params.id));
    if (!story) return errorBody(404, 'not_found', 'There is no such story.');
    Object.assign(story, (await request.json()) as StoryUpdate);
    return HttpResponse.json(story);
  }),

  http.delete(`${API}/stories/:id`, ({ params }) => {
    const before = stories.length;
    stories = stories.filter((s) => s.id !== Number(params.id));
    return stories.length < before ? new HttpResponse(null, { status: 204 }) : errorBody(404, 'not_found', 'Gone.');
  }),

  http.post(`${API}/stories/:id/cancel`, ({ params }) => {
    const story = storiesDb.get(Number(params.id));
    return story ? HttpResponse.json(story) : errorBody(404, 'not_found', 'Gone.');
  }),

  http.post(`${API}/stories/:id/regenerate`, ({ params }) => {
    const old = storiesDb.get(Number(params.id));
    if (!old) return errorBody(404, 'not_found', 'Gone.');
    return HttpResponse.json(storiesDb.add({ status: 'queued', language: old.language }), { status: 202 });
  }),

  http.post(`${API}/stories/:id/continue`, ({ params }) => {
    const story = storiesDb.get(Number(params.id));
    if (!story) return errorBody(404, 'not_found', 'Gone.');
    Object.assign(story, { status: 'queued', queue_position: 0 });
    return HttpResponse.json(story, { status: 202 });
  }),
];
