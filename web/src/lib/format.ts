// Dates and numbers in the UI's language (Intl), so "1,234" and "2025/01/01" read naturally in each.

/** A date and time such as "Jan 5, 2025, 9:30 AM" / "2025/01/05 9:30". */
export function formatDateTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A whole number with the language's grouping ("12,000"). */
export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}
