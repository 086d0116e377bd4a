import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';

import { LANGUAGES, toLanguage } from '@/lib/i18n';

/** English or Japanese; the choice is remembered in this browser. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const current = toLanguage(i18n.resolvedLanguage ?? i18n.language);
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('header.language')}
      value={current}
      onChange={(value) => void i18n.changeLanguage(value)}
      data={LANGUAGES.map((lng) => ({
        value: lng,
        // Each language is named in itself, so a reader of either can find theirs.
        label: <span lang={lng}>{t(`languages.${lng}`, { lng })}</span>,
      }))}
    />
  );
}
