import { Box } from '@mantine/core';
import { useState } from 'react';

import { useKeepInView } from '../hooks/use-read-aloud';

import classes from './story.module.css';

/** The story in large, calm type; the word being read aloud marked and kept in view. */
export function StoryText({ text, language, word }: { text: string; language: string; word: [number, number] | null }) {
  const [mark, setMark] = useState<HTMLElement | null>(null);
  useKeepInView(mark);
  const inRange = word && word[0] < text.length;
  return (
    <Box lang={language} className={classes.reading} data-testid="story-text">
      {inRange ? (
        <>
          {text.slice(0, word[0])}
          <mark ref={setMark} className={classes.spoken} data-testid="spoken-word">
            {text.slice(word[0], word[1])}
          </mark>
          {text.slice(word[1])}
        </>
      ) : (
        text
      )}
    </Box>
  );
}
