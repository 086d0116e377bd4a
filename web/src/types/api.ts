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
