import { http, HttpResponse } from 'msw';

import type { EngineInfo, RuntimeSettings, SettingsPatch } from '@/types/api';

import { API } from './prompts';

// Runtime settings and engines as the server keeps them (changes are the admin's: see auth.ts's gate).

function defaults(): RuntimeSettings {
  return {
    engines: { local: { type: 'local', languages: ['en'] }, fake: { type: 'fake', languages: ['en', 'ja'] } },
    default_engine: 'local',
    default_length: 'medium',
    default_tone: 'warm',
    default_language: 'en',
    max_queued_stories: 20,
    max_stories_per_account: 3,
    resume_stories: true,
    story_retention_days: null,
  };
}

let settings = defaults();

export const settingsDb = {
  reset(): void {
    settings = defaults();
  },
  get(): RuntimeSettings {
    return settings;
  },
};

function engineInfo(name: string): EngineInfo {
  const config = settings.engines[name];
  const ok = config?.type !== 'openai';
  return {
    name,
    kind: config?.type ?? 'local',
    model: config?.type === 'openai' ? config.model : config?.type === 'fake' ? 'fake' : 'tinystories',
    languages: config?.languages ?? ['en'],
    default: name === settings.default_engine,
    ok,
    // What the server says of a local model file, and of a server that refused the connection.
    detail: ok ? 'model file /models/tinystories.gguf' : `The model server at ${config.base_url} refused the connection; is it running?`,
    detail_code: ok ? 'model_file' : 'unavailable',
    detail_params: ok ? { path: '/models/tinystories.gguf' } : { cause: 'refused', url: config.base_url },
    models: [],
  };
}

export const settingsHandlers = [
  http.get(`${API}/engines`, () => HttpResponse.json({ items: Object.keys(settings.engines).map(engineInfo) })),

  http.get(`${API}/settings`, () => HttpResponse.json(settings)),

  http.patch(`${API}/settings`, async ({ request }) => {
    const patch = (await request.json()) as SettingsPatch;
    settings = { ...settings, ...patch };
    return HttpResponse.json(settings);
  }),
];
