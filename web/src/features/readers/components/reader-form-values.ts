import { isApiError } from '@/lib/api-client';
import type { ValidationDetail } from '@/lib/server-messages';
import type { FuriganaMode, Reader, ReaderCreate, ReaderLanguage, ReadingLevel } from '@/types/api';

export const READER_LANGUAGES: ReaderLanguage[] = ['en', 'ja'];
export const READING_LEVELS: ReadingLevel[] = ['early', 'developing', 'confident', 'advanced'];
export const FURIGANA_MODES: FuriganaMode[] = ['none', 'all', 'above_grade', 'hiragana'];
export const KANJI_GRADES = [1, 2, 3, 4, 5, 6] as const;
/** The kanji grade choice "from the reader's age" (sent as null). */
export const FROM_AGE = 'age';
export const LIST_FIELDS = ['interests', 'favourite_things', 'things_to_avoid'] as const;
export const MAX_NAME = 60;
export const MAX_ITEMS = 20;

export type ReaderFormValues = {
  name: string;
  age: string | number;
  language: ReaderLanguage;
  reading_level: ReadingLevel;
  interests: string[];
  favourite_things: string[];
  things_to_avoid: string[];
  avatar: string;
  furigana: FuriganaMode;
  /** A grade from 1 to 6 as text, or 'age' (from the age), as the select holds it. */
  kanji_grade: string;
};

export type ReaderField = keyof ReaderFormValues;

/** A field's problem as a locale key under `readers.form.errors` (or the server's 422 detail, worded from its code). */
export type FieldErrors = Partial<Record<ReaderField, { key: string } | { detail: ValidationDetail }>>;

export function emptyReaderValues(language: ReaderLanguage = 'en'): ReaderFormValues {
  return {
    name: '',
    age: '',
    language,
    reading_level: 'developing',
    interests: [],
    favourite_things: [],
    things_to_avoid: [],
    avatar: '',
    furigana: 'none',
    kanji_grade: FROM_AGE,
  };
}

export function readerValues(reader: Reader): ReaderFormValues {
  return {
    name: reader.name,
    age: reader.age ?? '',
    language: reader.language,
    reading_level: reader.reading_level,
    interests: reader.interests,
    favourite_things: reader.favourite_things,
    things_to_avoid: reader.things_to_avoid,
    avatar: reader.avatar,
    furigana: reader.furigana,
    kanji_grade: reader.kanji_grade === null ? FROM_AGE : String(reader.kanji_grade),
  };
}

function ageOf(value: string | number): number | null {
  if (value === '') return null;
  return typeof value === 'number' ? value : Number(value);
}

/** What the form sends: every field, the age as a number or null. */
export function toPayload(values: ReaderFormValues): ReaderCreate {
  return {
    name: values.name.trim(),
    age: ageOf(values.age),
    language: values.language,
    reading_level: values.reading_level,
    interests: values.interests,
    favourite_things: values.favourite_things,
    things_to_avoid: values.things_to_avoid,
    avatar: values.avatar.trim(),
    furigana: values.furigana,
    kanji_grade: values.kanji_grade === FROM_AGE ? null : Number(values.kanji_grade),
  };
}

/** The checks made before anything is sent: a name, and an age from 1 to 120 if given. */
export function validateReader(values: ReaderFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = { key: 'nameRequired' };
  else if (name.length > MAX_NAME) errors.name = { key: 'nameTooLong' };
  const age = ageOf(values.age);
  if (age !== null && (!Number.isInteger(age) || age < 1 || age > 120)) errors.age = { key: 'ageRange' };
  // The server needs a grade for "above_grade": the one chosen, else the age's.
  if (values.furigana === 'above_grade' && values.kanji_grade === FROM_AGE && age === null) {
    errors.kanji_grade = { key: 'kanjiGrade' };
  }
  return errors;
}

const FIELDS = new Set<string>([
  'name',
  'age',
  'language',
  'reading_level',
  'interests',
  'favourite_things',
  'things_to_avoid',
  'avatar',
  'furigana',
  'kanji_grade',
]);

function friendlyKey(field: string, type: string): string | null {
  if (field === 'name') return type === 'string_too_long' ? 'nameTooLong' : 'nameRequired';
  if (field === 'age') return 'ageRange';
  if (field === 'avatar') return 'avatarTooLong';
  if (field === 'kanji_grade') return 'kanjiGrade';
  if (LIST_FIELDS.includes(field as (typeof LIST_FIELDS)[number])) {
    return type === 'too_long' ? 'tooManyItems' : 'itemTooLong';
  }
  return null;
}

/** A 422 answer's details, one message per form field (null when the error is not about fields). */
export function serverFieldErrors(error: unknown): FieldErrors | null {
  if (!isApiError(error) || error.status !== 422 || !Array.isArray(error.details)) return null;
  const errors: FieldErrors = {};
  for (const detail of error.details as unknown[]) {
    if (typeof detail !== 'object' || detail === null) continue;
    const { field, type } = detail as { field?: unknown; type?: unknown };
    if (typeof field !== 'string') continue;
    const top = field.split('.')[0] ?? '';
    if (!FIELDS.has(top) || errors[top as ReaderField]) continue;
    const key = friendlyKey(top, typeof type === 'string' ? type : '');
    errors[top as ReaderField] = key ? { key } : { detail };
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
