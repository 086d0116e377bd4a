import type { TFunction } from 'i18next';

/**
 * A school grade in words: "grade 2" / 「小学2年生」, and 中学・高校 past grade 6 in Japanese.
 * Halves round up, as in the exports (storybot/services/story_export.py `grade_label`).
 */
export function gradeWords(t: TFunction, grade: number): string {
  const whole = Math.min(12, Math.max(1, Math.floor(grade + 0.5)));
  if (whole <= 6) return t('stories.level.elementary', { grade: whole, year: whole });
  if (whole <= 9) return t('stories.level.juniorHigh', { grade: whole, year: whole - 6 });
  return t('stories.level.highSchool', { grade: whole, year: whole - 9 });
}
