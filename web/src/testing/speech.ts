// A scripted stand-in for window.speechSynthesis: tests see what is spoken and
// send `boundary` events by hand.

type Boundary = { charIndex: number; charLength?: number; name?: string };

export class ScriptedUtterance {
  text: string;
  lang = '';
  rate = 1;
  voice: SpeechSynthesisVoice | null = null;
  onboundary: ((event: Boundary) => void) | null = null;
  onend: (() => void) | null = null;
  constructor(text: string) {
    this.text = text;
  }
}

export const speech = {
  spoken: [] as ScriptedUtterance[],
  paused: false,
  voices: [
    { name: 'English', lang: 'en-US', default: true, localService: true, voiceURI: 'en' },
    { name: 'Japanese', lang: 'ja-JP', default: false, localService: true, voiceURI: 'ja' },
  ] as unknown as SpeechSynthesisVoice[],
  current(): ScriptedUtterance {
    const u = this.spoken.at(-1);
    if (!u) throw new Error('nothing was spoken');
    return u;
  },
  boundary(charIndex: number, charLength?: number): void {
    this.current().onboundary?.({ charIndex, charLength, name: 'word' });
  },
  end(): void {
    this.current().onend?.();
  },
  reset(): void {
    this.spoken = [];
    this.paused = false;
  },
};

export function installSpeech(): void {
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { writable: true, configurable: true, value: ScriptedUtterance });
  Object.defineProperty(window, 'speechSynthesis', {
    writable: true,
    configurable: true,
    value: {
      speak: (u: ScriptedUtterance) => speech.spoken.push(u),
      cancel: () => undefined,
      pause: () => {
        speech.paused = true;
      },
      resume: () => {
        speech.paused = false;
      },
      getVoices: () => speech.voices,
    },
  });
}
