import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { toast } from 'react-toastify';

import { setCsrfToken, setUnauthorizedHandler } from '@/lib/api-client';
import { initI18n, i18n } from '@/lib/i18n';
import { installEventSource, ScriptedEventSource } from '@/testing/event-source';
import { db } from '@/testing/mocks/db';
import { authDb } from '@/testing/mocks/handlers/auth';
import { modelsDb } from '@/testing/mocks/handlers/models';
import { readersDb } from '@/testing/mocks/handlers/readers';
import { settingsDb } from '@/testing/mocks/handlers/settings';
import { storiesDb } from '@/testing/mocks/handlers/stories';
import { server } from '@/testing/mocks/server';
import { installSpeech, speech } from '@/testing/speech';

// jsdom lacks what Mantine measures with.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => getComputedStyle(element);
window.HTMLElement.prototype.scrollIntoView = () => undefined;
Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }),
});
class ResizeObserver {
  observe(): void {
    // nothing is ever resized in jsdom
  }
  unobserve(): void {
    // see observe
  }
  disconnect(): void {
    // see observe
  }
}
window.ResizeObserver = ResizeObserver;
// jsdom's Blob has no text(); browsers all do.
Blob.prototype.text = function text(this: Blob) {
  return new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsText(this);
  });
};

// The first render of a lazy page compiles it: allow for a slow first load.
configure({ asyncUtilTimeout: 5000 });

initI18n({ lng: 'en' });

// jsdom has neither EventSource nor speech synthesis: scripted stand-ins (src/testing).
installEventSource();
installSpeech();

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});

beforeEach(async () => {
  localStorage.clear();
  sessionStorage.clear();
  await i18n.changeLanguage('en');
});

afterEach(() => {
  cleanup();
  toast.dismiss();
  server.resetHandlers();
  server.events.removeAllListeners();
  db.reset();
  storiesDb.reset();
  storiesDb.requests = [];
  ScriptedEventSource.reset();
  speech.reset();
  readersDb.reset();
  settingsDb.reset();
  modelsDb.reset();
  authDb.reset();
  setCsrfToken(null);
  setUnauthorizedHandler(null);
});

afterAll(() => {
  server.close();
});
