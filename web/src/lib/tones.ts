/** The server's tone codes (storybot/schemas/tones.py); the UI words them under `tones.*`. */
export const TONES = ['warm', 'gentle', 'funny', 'adventurous', 'sleepy', 'calm'] as const;

export type Tone = (typeof TONES)[number];

/** Whether a stored or chosen word is one of the codes (an older version stored words). */
export function isTone(value: string): value is Tone {
  return (TONES as readonly string[]).includes(value);
}
