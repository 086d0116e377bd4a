import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { toast } from 'react-toastify';

import { initI18n, i18n } from '@/lib/i18n';
import { db } from '@/testing/mocks/db';
import { server } from '@/testing/mocks/server';

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

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});

beforeEach(async () => {
  localStorage.clear();
  await i18n.changeLanguage('en');
});

afterEach(() => {
  cleanup();
  toast.dismiss();
  server.resetHandlers();
  server.events.removeAllListeners();
  db.reset();
});

afterAll(() => {
  server.close();
});
