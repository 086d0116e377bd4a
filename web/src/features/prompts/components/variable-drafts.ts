import type { TemplateVariable, VariableType } from '@/types/api';

/** A template variable while it is edited: every field present, the default as typed. */
export type VariableDraft = {
  key: string;
  name: string;
  type: VariableType;
  label: string;
  options: string[];
  /** text: the text; number: the number or ''; choice: an option or ''. */
  default: string | number;
};

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

let counter = 0;
function nextKey(): string {
  counter += 1;
  return `v${counter}`;
}

export function emptyDraft(): VariableDraft {
  return { key: nextKey(), name: '', type: 'text', label: '', options: [], default: '' };
}

export function toDraft(variable: TemplateVariable): VariableDraft {
  return {
    key: nextKey(),
    name: variable.name,
    type: variable.type,
    label: variable.label ?? '',
    options: variable.options ?? [],
    default: variable.default ?? '',
  };
}

/** Why a draft cannot be saved, as a translation key, or null when it can. */
export function draftProblem(draft: VariableDraft): string | null {
  if (!VARIABLE_NAME.test(draft.name)) return 'prompts.editor.problems.name';
  if (draft.type === 'choice' && draft.options.length === 0) return 'prompts.editor.problems.options';
  return null;
}

/** The variable the API takes; an empty default means none. */
export function fromDraft(draft: VariableDraft): TemplateVariable {
  const base = { name: draft.name, type: draft.type, label: draft.label.trim() || null };
  if (draft.type === 'number') {
    return { ...base, default: typeof draft.default === 'number' ? draft.default : null };
  }
  if (draft.type === 'choice') {
    const chosen = typeof draft.default === 'string' && draft.options.includes(draft.default);
    return { ...base, options: draft.options, default: chosen ? draft.default : null };
  }
  return { ...base, default: typeof draft.default === 'string' && draft.default !== '' ? draft.default : null };
}

/** A draft switched to another type: the default is kept only when it still fits. */
export function withType(draft: VariableDraft, type: VariableType): VariableDraft {
  let value: string | number = '';
  if (type === 'number' && typeof draft.default === 'number') value = draft.default;
  if (type === 'text') value = draft.default === '' ? '' : String(draft.default);
  return { ...draft, type, default: value, options: type === 'choice' ? draft.options : [] };
}
