// Sizes and durations in the reader's language, through Intl (no strings of our own).

const MB = 1_000_000;
const GB = 1_000_000_000;

/** A file size such as "94 MB" or "1.9 GB" (decimal units, as download pages state them). */
export function formatSize(bytes: number, locale: string): string {
  const [value, unit] = bytes >= GB ? [bytes / GB, 'gigabyte'] : [bytes / MB, 'megabyte'];
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    maximumFractionDigits: value < 10 ? 1 : 0,
  }).format(value);
}

/** A rough time such as "40 seconds", "3 minutes" or "2 hours". */
export function formatDuration(seconds: number, locale: string): string {
  const [value, unit] =
    seconds < 90 ? [Math.max(1, Math.round(seconds)), 'second'] : seconds < 5400 ? [Math.round(seconds / 60), 'minute'] : [Math.round(seconds / 3600), 'hour'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}
