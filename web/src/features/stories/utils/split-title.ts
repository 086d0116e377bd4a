// The same rule as storybot/services/composition.py split_title: the model's first line may be the title.
const TITLE_LINE = /^\s*(?:#+\s*|\*\*)?(?:title|タイトル|題名)\s*[:：]\s*(.+?)\**\s*$/iu;
const HEADING = /^\s*#+\s*(.+?)\s*$/u;

/** The title the model wrote on its first line, if any, and the rest of the text. */
export function splitTitle(text: string): { title: string | null; body: string } {
  const stripped = text.trimStart();
  const newline = stripped.indexOf('\n');
  if (newline === -1) return { title: null, body: text }; // the first line is not finished yet
  const first = stripped.slice(0, newline);
  const rest = stripped.slice(newline + 1);
  for (const pattern of [TITLE_LINE, HEADING]) {
    const match = pattern.exec(first);
    const title = match?.[1]?.trim().replace(/^[*"'「」]+|[*"'「」]+$/gu, '').trim();
    if (title) return { title: title.slice(0, 200), body: rest.replace(/^\n+/u, '') };
  }
  return { title: null, body: text };
}
