// The JSON shapes of the story API (storybot/schemas/stories.py, profiles.py): the generated
// schemas (src/types/openapi.ts) where they are used as sent, hand-made shapes for the rest.

import type { components } from './openapi';

type Schemas = components['schemas'];

export type StoryStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted' | 'incomplete';
export type StoryLength = 'short' | 'medium' | 'long';
export type FinalStatus = 'done' | 'failed' | 'cancelled' | 'interrupted' | 'incomplete';

export const FINAL_STATUSES: readonly FinalStatus[] = ['done', 'failed', 'cancelled', 'interrupted', 'incomplete'];

export function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export type Story = {
  id: number;
  uuid: string;
  status: StoryStatus;
  title: string;
  text: string;
  body: string;
  language: string;
  reader_name: string;
  profile_id: number | null;
  prompt_id: number | null;
  favourite: boolean;
  failure_code: string | null;
  failure_reason: string | null;
  /** What the failure is worded with, beside failure_code (docs/api.md, "Messages"). */
  failure_params: Record<string, string | number> | null;
  trace_id: string | null;
  /** While queued: the stories that will be written before this one. */
  queue_position: number | null;
  /** While queued: about how many seconds until it starts; null when nothing was measured yet. */
  wait_seconds: number | null;
  /** Times the story went on by itself after the server writing it stopped (at most once). */
  resumes: number;
  last_seq: number;
  engine: string;
  model: string;
  /** The measured reading level, as a school grade; null while written or too short. */
  reading_grade: number | null;
  /** The reader's target grade when the story was asked for; null without a reader. */
  target_grade: number | null;
  created_at: string;
  updated_at: string;
};

export type StorySummary = Schemas['StorySummary'];

/** A piece of a story's body with its reading in hiragana (GET /stories/{id}/furigana). */
export type RubySegment = Schemas['RubySegment'];

export type StoryFurigana = Schemas['StoryFurigana'];

export type StoryPage = Schemas['StoryPage'];

export type StoryCreate = {
  prompt_id?: number;
  variables?: Record<string, string | number>;
  prompt?: string;
  profile_id?: number;
  length?: StoryLength;
  tone?: string;
};

export type StoryUpdate = Schemas['StoryUpdate'];

/** A reader as the story pages need it (GET /api/profiles). */
export type StoryReader = {
  id: number;
  name: string;
  avatar: string;
  language: 'en' | 'ja';
};

export type StoryReaderList = { items: StoryReader[]; total: number };

/** Data of the final event of the story stream. */
export type FinalEventData = {
  title?: string | null;
  failure_code?: string | null;
  failure_reason?: string | null;
  failure_params?: Record<string, string | number> | null;
  last_seq?: number;
};
