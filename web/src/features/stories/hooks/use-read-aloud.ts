import { useReducedMotion } from '@mantine/hooks';
import { useCallback, useEffect, useRef, useState } from 'react';

export type ReadAloudState = 'idle' | 'speaking' | 'paused';

function voiceFor(language: string): SpeechSynthesisVoice | null {
  const voices = window.speechSynthesis.getVoices();
  const base = language.toLowerCase().split('-')[0] ?? language;
  return (
    voices.find((v) => v.lang.toLowerCase() === language.toLowerCase() && v.default) ??
    voices.find((v) => v.lang.toLowerCase().split(/[-_]/u)[0] === base) ??
    null
  );
}

/** Whether this browser can read aloud. */
export function canReadAloud(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';
}

/**
 * Read `text` aloud in `language` with the browser's speech synthesis; `word`
 * is the [start, end) of the word being spoken (from `boundary` events).
 */
export function useReadAloud(text: string, language: string) {
  const [state, setState] = useState<ReadAloudState>('idle');
  const [rate, setRateState] = useState(1);
  const [word, setWord] = useState<[number, number] | null>(null);
  const position = useRef(0);
  const utterance = useRef<SpeechSynthesisUtterance | null>(null);

  const speakFrom = useCallback(
    (offset: number, speed: number) => {
      const synth = window.speechSynthesis;
      synth.cancel();
      const spoken = new SpeechSynthesisUtterance(text.slice(offset));
      spoken.lang = language;
      spoken.rate = speed;
      const voice = voiceFor(language);
      if (voice) spoken.voice = voice;
      spoken.onboundary = (event) => {
        if (event.name && event.name !== 'word') return;
        const start = offset + event.charIndex;
        const length = event.charLength > 0 ? event.charLength : Math.max(1, /^\S*/u.exec(text.slice(start))?.[0].length ?? 0);
        position.current = start;
        setWord([start, start + length]);
      };
      spoken.onend = () => {
        if (utterance.current !== spoken) return;
        utterance.current = null;
        position.current = 0;
        setState('idle');
        setWord(null);
      };
      utterance.current = spoken;
      synth.speak(spoken);
      setState('speaking');
    },
    [text, language],
  );

  const play = useCallback(() => {
    if (state === 'paused') {
      window.speechSynthesis.resume();
      setState('speaking');
      return;
    }
    position.current = 0;
    speakFrom(0, rate);
  }, [state, rate, speakFrom]);

  const pause = useCallback(() => {
    window.speechSynthesis.pause();
    setState('paused');
  }, []);

  const stop = useCallback(() => {
    utterance.current = null;
    window.speechSynthesis.cancel();
    position.current = 0;
    setState('idle');
    setWord(null);
  }, []);

  const setRate = useCallback(
    (next: number) => {
      setRateState(next);
      // A new speed takes effect at once: go on from the word being read.
      if (state === 'speaking') speakFrom(position.current, next);
    },
    [state, speakFrom],
  );

  useEffect(
    () => () => {
      if (utterance.current) window.speechSynthesis.cancel();
    },
    [],
  );

  return { state, rate, word, play, pause, stop, setRate };
}

/** Keep the spoken word in view; a jump instead of a glide when motion is reduced. */
export function useKeepInView(element: HTMLElement | null) {
  const reduceMotion = useReducedMotion();
  useEffect(() => {
    element?.scrollIntoView({ block: 'nearest', behavior: reduceMotion ? 'auto' : 'smooth' });
  }, [element, reduceMotion]);
}
