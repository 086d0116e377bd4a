import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';

import en from '@/locales/en.json';
import ja from '@/locales/ja.json';

export const LANGUAGES = ['en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

export const LANGUAGE_STORAGE_KEY = 'storybot.language';

export const resources = {
  en: { translation: en },
  ja: { translation: ja },
} as const;

/** The supported language a tag such as `ja-JP` stands for, if any. */
export function toLanguage(tag: string | undefined): Language {
  const base = (tag ?? '').toLowerCase().split('-')[0];
  return (LANGUAGES as readonly string[]).includes(base ?? '') ? (base as Language) : 'en';
}

function reflectLanguage(lng: string): void {
  // The lang attribute picks the font stack and line height (styles/global.css),
  // and tells screen readers which voice to use.
  document.documentElement.lang = toLanguage(lng);
}

/** Start i18next: the user's choice if saved, else the browser's language, else English. */
export function initI18n(options: { lng?: Language } = {}): typeof i18n {
  if (i18n.isInitialized) {
    if (options.lng) void i18n.changeLanguage(options.lng);
    return i18n;
  }
  i18n.on('languageChanged', reflectLanguage);
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      lng: options.lng,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      nonExplicitSupportedLngs: true,
      load: 'languageOnly',
      interpolation: { escapeValue: false }, // React escapes
      returnNull: false,
      detection: {
        order: ['localStorage', 'navigator', 'htmlTag'],
        lookupLocalStorage: LANGUAGE_STORAGE_KEY,
        caches: ['localStorage'],
      },
      react: { useSuspense: false },
    });
  reflectLanguage(i18n.resolvedLanguage ?? i18n.language);
  return i18n;
}

export { i18n };
