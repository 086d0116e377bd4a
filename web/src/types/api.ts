// The JSON shapes of the Storybot API, by the names the feature code uses: aliases of the
// schemas generated from the OpenAPI document (src/types/openapi.ts, `npm run api:types`).

import type { components } from './openapi';

type Schemas = components['schemas'];

/** A template variable as sent (its type always named); a prompt's own are this and more. */
export type TemplateVariable = Schemas['TemplateVariable'] & Pick<Schemas['TemplateVariableOut'], 'type'>;
export type VariableType = TemplateVariable['type'];

export type Prompt = Schemas['PromptOut'];
export type PromptPage = Schemas['PromptPage'];
export type PromptCreate = Schemas['PromptCreate'];
export type PromptUpdate = Schemas['PromptUpdate'];
export type PromptLibrary = Schemas['PromptLibrary'];
export type ImportResult = Schemas['ImportResult'];

export type ErrorDetail = Schemas['FieldError'];
export type ErrorEnvelope = Schemas['ErrorEnvelope'];

// Readers (/api/profiles).

export type Reader = Schemas['ProfileOut'];
export type ReaderLanguage = Reader['language'];
export type ReadingLevel = Reader['reading_level'];
export type FuriganaMode = Reader['furigana'];
export type ReaderList = Schemas['ProfileList'];
export type ReaderCreate = Schemas['ProfileCreate'];
export type ReaderUpdate = Schemas['ProfileUpdate'];

// Engines and runtime settings (/api/engines, /api/settings).

export type EngineInfo = Schemas['EngineOut'];
export type EngineInfoList = Schemas['EngineList'];
export type EngineConfig =
  | Schemas['LocalEngineConfig']
  | Schemas['OpenAIEngineConfig']
  | Schemas['FakeEngineConfig'];
export type RuntimeSettings = Schemas['RuntimeSettings'];
export type StoryLength = RuntimeSettings['default_length'];
export type SettingsPatch = Schemas['SettingsPatch'];

// Getting a better model: servers found on this machine, model files, downloads
// (/api/engines/discover, POST /api/engines, /api/models).

export type EngineAdd = Schemas['EngineAdd'];
export type DiscoveredServer = Schemas['DiscoveredServer'];
export type ServerKind = DiscoveredServer['kind'];
export type DiscoveryList = Schemas['DiscoveryList'];
export type LocalModel = Schemas['LocalModelOut'];
export type LocalModelList = Schemas['LocalModelList'];
export type UseModel = Schemas['UseModel'];
export type ModelDownload = Schemas['DownloadOut'];
export type DownloadStatus = ModelDownload['status'];
export type ModelDownloadList = Schemas['DownloadList'];
export type DownloadCreate = Schemas['DownloadCreate'];
