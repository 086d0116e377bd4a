import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { expect, test, unique } from './support';

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

type StoryOut = { id: number; status: string; text: string; body: string; title: string; last_seq: number };

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

async function createReader(request: APIRequestContext, name: string): Promise<{ id: number; name: string }> {
  const response = await request.post('/api/profiles', { data: { name, age: 6, interests: ['owls'], avatar: '🦉' } });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: number; name: string };
}

async function createStory(request: APIRequestContext, data: Record<string, unknown>): Promise<StoryOut> {
  const response = await request.post('/api/stories', { data });
  expect(response.status()).toBe(202);
  return (await response.json()) as StoryOut;
}

async function waitUntilFinished(request: APIRequestContext, id: number): Promise<StoryOut> {
  let story: StoryOut | null = null;
  await expect
    .poll(
      async () => {
        story = (await (await request.get(`/api/stories/${id}`)).json()) as StoryOut;
        return story.status;
      },
      { timeout: 240_000 },
    )
    .toMatch(/done|incomplete|failed|cancelled|interrupted/);
  return story as unknown as StoryOut;
}

function storyIdOf(page: Page): number {
  return Number(/\/stories\/(\d+)/.exec(page.url())?.[1]);
}

test.beforeAll(() => {
  mkdirSync(SCREENSHOTS, { recursive: true });
});

test.describe('stories, against the real server', () => {
  // The built-in model runs on the CPU: on a busy machine a short story can take minutes.
  test.setTimeout(300_000);

  test('writes a story from the new story page and streams it to "done"', async ({ page, request }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const reader = await createReader(request, unique('Mia'));
    await page.goto('/stories/new');
    await expect(page.getByRole('heading', { level: 1, name: 'New story' })).toBeVisible();
    await page.locator('label', { hasText: reader.name }).click();
    await expect(page.getByRole('radio', { name: new RegExp(reader.name) })).toBeChecked();
    await page.getByLabel('Your idea').fill('An owl who is afraid of the dark');
    await page.getByText('Short', { exact: true }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'new-story.png'), fullPage: true });

    await page.getByRole('button', { name: 'Write the story' }).click();
    await expect(page).toHaveURL(/\/stories\/\d+$/);
    const text = page.getByTestId('story-text');
    await expect(text).not.toBeEmpty({ timeout: 90_000 });
    await expect(page.getByTestId('story-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();

    const saved = await waitUntilFinished(request, storyIdOf(page));
    expect(saved.status).toBe('done');
    expect(await text.textContent()).toBe(saved.body);
    await expect(page.getByRole('heading', { level: 1, name: saved.title })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'story-en.png'), fullPage: true });
  });

  test('stops a long story mid-way; the text so far stays', async ({ page, request }) => {
    const story = await createStory(request, { prompt: unique('A very long journey of a hedgehog'), length: 'long' });
    await page.goto(`/stories/${story.id}`);
    await expect(page.getByTestId('story-text')).not.toBeEmpty({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByTestId('story-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 15_000 });
    await expect(page.getByText('Stopped. The story so far is kept.')).toBeVisible();
    const saved = await waitUntilFinished(request, story.id);
    expect(saved.status).toBe('cancelled');
    expect(await page.getByTestId('story-text').textContent()).toBe(saved.body);
  });

  test('a reload mid-story resumes without repeating any text', async ({ page, request }) => {
    const story = await createStory(request, { prompt: unique('A fox who counts the stars'), length: 'short' });
    await page.goto(`/stories/${story.id}`);
    await expect(page.getByTestId('story-text')).not.toBeEmpty({ timeout: 90_000 });
    await page.reload();
    const stream = page.waitForRequest((r) => r.url().includes(`/api/stories/${story.id}/events`), { timeout: 10_000 }).catch(() => null);
    const eventsRequest = await stream;
    await expect(page.getByTestId('story-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
    const saved = await waitUntilFinished(request, story.id);
    expect(await page.getByTestId('story-text').textContent()).toBe(saved.body);
    if (eventsRequest) expect(new URL(eventsRequest.url()).searchParams.get('after')).toMatch(/^\d+$/);
  });

  test('reads aloud with the word being spoken marked', async ({ page, request }) => {
    // Headless Chromium has no voices: a scripted speechSynthesis that reports each word.
    await page.addInitScript(() => {
      type U = { text: string; lang: string; onboundary: ((e: { charIndex: number; charLength: number; name: string }) => void) | null; onend: (() => void) | null };
      const w = window as unknown as { __spoken: U[]; __boundary: (i: number, n: number) => void };
      w.__spoken = [];
      w.__boundary = (charIndex, charLength) => w.__spoken.at(-1)?.onboundary?.({ charIndex, charLength, name: 'word' });
      class Utterance {
        text: string;
        lang = '';
        rate = 1;
        voice: unknown = null;
        onboundary = null;
        onend = null;
        constructor(text: string) {
          this.text = text;
        }
      }
      Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true, writable: true });
      Object.defineProperty(window, 'speechSynthesis', {
        configurable: true,
        value: {
          speak: (u: U) => w.__spoken.push(u),
          cancel: () => undefined,
          pause: () => undefined,
          resume: () => undefined,
          getVoices: () => [{ name: 'Test English', lang: 'en-US', default: true, localService: true, voiceURI: 'test' }],
        },
      });
    });
    // A finished story without waiting for the model: stopped while queued, then its text set.
    const story = await createStory(request, { prompt: unique('A bear who bakes bread'), length: 'short' });
    await request.post(`/api/stories/${story.id}/cancel`);
    await waitUntilFinished(request, story.id);
    const patched = await request.patch(`/api/stories/${story.id}`, { data: { text: '# The Bear\nThe bear baked bread for all his friends.' } });
    expect(patched.status()).toBe(200);
    const saved = (await patched.json()) as StoryOut;
    await page.goto(`/stories/${story.id}`);
    await page.getByRole('button', { name: 'Read aloud' }).click();
    const spoken = await page.evaluate(() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken.map((u) => ({ text: u.text, lang: u.lang })));
    expect(spoken).toEqual([{ text: saved.body, lang: 'en' }]);

    const firstWord = /^\S+/.exec(saved.body)?.[0] ?? '';
    await page.evaluate((n) => (window as unknown as { __boundary: (i: number, n: number) => void }).__boundary(0, n), firstWord.length);
    await expect(page.getByTestId('spoken-word')).toHaveText(firstWord);
    const second = /^\S+\s+(\S+)/.exec(saved.body);
    if (second?.[1]) {
      const index = saved.body.indexOf(second[1], firstWord.length);
      await page.evaluate(([i, n]) => (window as unknown as { __boundary: (i: number, n: number) => void }).__boundary(i, n), [index, second[1].length] as const);
      await expect(page.getByTestId('spoken-word')).toHaveText(second[1]);
    }
  });

  test('the library lists the stories, newest first, with no serious accessibility problem', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Stories' })).toBeVisible();
    await expect(page.getByTestId('story-card').first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'library.png'), fullPage: true });
  });
});
