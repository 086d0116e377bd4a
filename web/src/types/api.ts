// The JSON shapes of the Storybot API (storybot/schemas/*.py).

export type VariableType = 'text' | 'number' | 'choice';

export type TemplateVariable = {
  name: string;
  type: VariableType;
  label?: string | null;
  default?: string | number | null;
  options?: string[];
};

export type Prompt = {
  id: number;
  uuid: string;
  title: string;
  content: string;
  tags: string[];
  variables: TemplateVariable[];
  created_at: string;
  updated_at: string;
};

export type PromptPage = {
  items: Prompt[];
  total: number;
  next_cursor: string | null;
};

export type PromptCreate = {
  content: string;
  title?: string;
  tags?: string[];
  variables?: TemplateVariable[];
};

export type PromptUpdate = Partial<PromptCreate>;

export type PromptLibrary = {
  format: 'storybot.prompts';
  version: 1;
  exported_at?: string | null;
  prompts: unknown[];
};

export type ImportResult = {
  created: number;
  updated: number;
};

export type ErrorDetail = {
  field: string;
  message: string;
  type: string;
};

export type ErrorEnvelope = {
  error: { code: string; message: string; details: unknown };
  trace_id: string | null;
};

// Readers (/api/profiles, storybot/schemas/profiles.py).

export type ReaderLanguage = 'en' | 'ja';
export type ReadingLevel = 'early' | 'developing' | 'confident' | 'advanced';
export type FuriganaMode = 'none' | 'all' | 'above_grade' | 'hiragana';

export type Reader = {
  id: number;
  uuid: string;
  name: string;
  age: number | null;
  language: ReaderLanguage;
  reading_level: ReadingLevel;
  interests: string[];
  favourite_things: string[];
  things_to_avoid: string[];
  avatar: string;
  furigana: FuriganaMode;
  kanji_grade: number | null;
  created_at: string;
  updated_at: string;
};

export type ReaderList = {
  items: Reader[];
  total: number;
};

export type ReaderCreate = {
  name: string;
  age?: number | null;
  language?: ReaderLanguage;
  reading_level?: ReadingLevel;
  interests?: string[];
  favourite_things?: string[];
  things_to_avoid?: string[];
  avatar?: string;
  furigana?: FuriganaMode;
  kanji_grade?: number | null;
};

export type ReaderUpdate = Partial<ReaderCreate>;

// Engines and runtime settings (/api/engines, /api/settings).

export type EngineInfo = {
  name: string;
  kind: string;
  model: string;
  languages: string[];
  default: boolean;
  ok: boolean;
  detail: string;
  /** The detail as a message code with its params (docs/api.md, "Messages"). */
  detail_code: string;
  detail_params: Record<string, string | number>;
  models: string[];
};

export type EngineInfoList = {
  items: EngineInfo[];
};

export type EngineConfig =
  | { type: 'local'; model_path?: string | null; languages?: string[]; n_ctx?: number }
  | {
      type: 'openai';
      base_url: string;
      model: string;
      api_key_env?: string;
      languages?: string[];
      connect_timeout?: number;
      read_timeout?: number;
    }
  | { type: 'fake'; languages?: string[]; tokens_per_second?: number | null };

export type StoryLength = 'short' | 'medium' | 'long';

export type RuntimeSettings = {
  engines: Record<string, EngineConfig>;
  default_engine: string;
  default_length: StoryLength;
  default_tone: string;
  default_language: ReaderLanguage;
  max_queued_stories: number;
  /** Stories that ended more than this many days ago are deleted; null keeps them forever. */
  story_retention_days: number | null;
};

export type SettingsPatch = Partial<RuntimeSettings>;

// Getting a better model: servers found on this machine, model files, downloads
// (/api/engines/discover, POST /api/engines, /api/models).

export type EngineAdd = {
  name?: string;
  config: EngineConfig;
  make_default?: boolean;
};

export type ServerKind = 'ollama' | 'llamacpp' | 'lmstudio' | 'vllm' | 'openai_compatible';

export type DiscoveredServer = {
  base_url: string;
  port: number;
  kind: ServerKind;
  models: string[];
  configured: { engine: string; model: string }[];
};

export type DiscoveryList = {
  items: DiscoveredServer[];
  ports: number[];
};

export type LocalModel = {
  name: string;
  file_name: string;
  path: string;
  size_bytes: number;
  source: 'builtin' | 'downloaded' | 'model_path';
  engines: string[];
};

export type LocalModelList = {
  items: LocalModel[];
};

export type UseModel = {
  languages: string[];
  engine?: string;
  make_default?: boolean;
};

export type DownloadStatus = 'downloading' | 'verifying' | 'done' | 'failed' | 'cancelled';

export type ModelDownload = {
  id: string;
  url: string;
  file_name: string;
  model_name: string;
  path: string;
  status: DownloadStatus;
  bytes_done: number;
  bytes_total: number | null;
  seconds_left: number | null;
  retries: number;
  sha256: string | null;
  error: { code: string; message: string } | null;
};

export type ModelDownloadList = {
  items: ModelDownload[];
};

export type DownloadCreate = {
  url: string;
  sha256?: string;
};
