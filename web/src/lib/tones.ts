/** The server's tone codes (storybot/schemas/tones.py); the UI words them under `tones.*`. */
export const TONES = ['warm', 'gentle', 'funny', 'adventurous', 'sleepy', 'calm'] as const;

export type Tone = (typeof TONES)[number];
