import type { RubySegment } from '@/types/stories';

// Where a sentence ends, as the server cuts a story being written
// (storybot/services/story_furigana.py): a stop with any closing quotes, or a line break.
const SENTENCE_END = /[。．！？!?…][」』）)”’]*|\n/gu;

/** How many sentences of `text` are complete: furigana is asked for again when this grows. */
export function completeSentences(text: string): number {
  return text.match(SENTENCE_END)?.length ?? 0;
}

/** What the reader sees and read-aloud speaks: each segment's text once (never its reading). */
export function segmentsText(segments: readonly RubySegment[]): string {
  return segments.map((segment) => segment.text).join('');
}

/**
 * The text shown: the analysed part of the body as segments, then the rest of the body
 * (the sentence being written) as plain text.
 */
export function shownSegments(segments: readonly RubySegment[], body: string, sourceLength: number): RubySegment[] {
  const rest = body.slice(sourceLength);
  return rest ? [...segments, { text: rest, reading: null }] : [...segments];
}
