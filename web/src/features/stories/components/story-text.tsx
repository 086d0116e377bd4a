import { Box } from '@mantine/core';
import { useState, type ReactNode } from 'react';

import type { RubySegment } from '@/types/stories';

import { useKeepInView } from '../hooks/use-read-aloud';

import classes from './story.module.css';

type StoryTextProps = {
  /** The text in pieces; a piece with a reading is set as ruby (furigana). */
  segments: readonly RubySegment[];
  language: string;
  /** The [start, end) of the word read aloud, in the joined texts of the segments. */
  word: [number, number] | null;
  /** Room for readings above the lines from the start, so that none pushes lines down. */
  ruby?: boolean;
};

/** The story in large, calm type; the word being read aloud marked and kept in view. */
export function StoryText({ segments, language, word, ruby = false }: StoryTextProps) {
  const [mark, setMark] = useState<HTMLElement | null>(null);
  useKeepInView(mark);
  const parts: ReactNode[] = [];
  let offset = 0;
  let marked = false;
  const markRef = (element: HTMLElement | null) => {
    if (element) setMark(element);
  };
  segments.forEach((segment, index) => {
    const start = offset;
    const end = offset + segment.text.length;
    offset = end;
    const hit = word !== null && word[0] < end && word[1] > start;
    const [wordStart, wordEnd] = word ?? [start, start];
    const ref = hit && !marked ? markRef : undefined;
    if (hit) marked = true;
    if (segment.reading) {
      // A word with a reading is marked whole: its reading belongs to all of it.
      const rubyText = (
        <ruby key={index}>
          {segment.text}
          <rt>{segment.reading}</rt>
        </ruby>
      );
      parts.push(
        hit ? (
          <mark key={index} ref={ref} className={classes.spoken} data-testid="spoken-word">
            {rubyText}
          </mark>
        ) : (
          rubyText
        ),
      );
      return;
    }
    if (!hit) {
      parts.push(segment.text);
      return;
    }
    const from = Math.max(wordStart, start) - start;
    const to = Math.min(wordEnd, end) - start;
    parts.push(
      segment.text.slice(0, from),
      <mark key={index} ref={ref} className={classes.spoken} data-testid="spoken-word">
        {segment.text.slice(from, to)}
      </mark>,
      segment.text.slice(to),
    );
  });
  return (
    <Box lang={language} className={classes.reading} data-ruby={ruby || undefined} data-testid="story-text">
      {parts}
    </Box>
  );
}
