import type { APIRequestContext, Page, Response } from '@playwright/test';

import { changeHeaders, createPrompt, createReader, expect, SIGNED_OUT, test, unique } from './support';

/**
 * Text a family types (prompts, readers, corrected stories, token names) is shown as text, never run as
 * markup: each page that shows it gets the two classic injections and must print them as they
 * are, with no script run, no dialog and no Content-Security-Policy violation (a violation
 * would also mean the policy blocks a part of the app itself).
 */

const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img src=x onerror="window.__xss=1">';

type StoryOut = { id: number; status: string };

/** One API call from the test, signed in as support.ts's helpers are (the UI is not what sets the data up). */
async function call<T>(request: APIRequestContext, method: 'POST' | 'PATCH', path: string, data: object, status: number): Promise<T> {
  const response = await request.fetch(path, { method, data, headers: await changeHeaders(request) });
  if (response.status() !== status) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as T;
}

async function finishedStory(request: APIRequestContext, id: number): Promise<StoryOut> {
  let story: StoryOut | null = null;
  await expect
    .poll(async () => {
      story = (await (await request.get(`/api/stories/${id}`)).json()) as StoryOut;
      return story.status;
    }, { timeout: 60_000 })
    .toMatch(/done|incomplete|failed|cancelled|interrupted/);
  return story as unknown as StoryOut;
}

type Watch = { dialogs: string[]; csp: string[] };

/** Records dialogs and CSP violations (the DOM event, and Chromium's console report). */
async function watch(page: Page): Promise<Watch> {
  const seen: Watch = { dialogs: [], csp: [] };
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.csp.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const w = window as unknown as { __csp?: string[] };
      (w.__csp ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return seen;
}

async function open(page: Page, path: string): Promise<void> {
  const response: Response | null = await page.goto(path);
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-eval');
  expect(csp.split(';').find((d) => d.trim().startsWith('script-src'))).not.toContain('unsafe-inline');
  expect(response?.headers()['x-content-type-options']).toBe('nosniff');
}

/** Nothing ran: no flag set, no injected element in the page, no dialog, no CSP report. */
async function assertNothingRan(page: Page, seen: Watch): Promise<void> {
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.locator('script:not([src])').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
  expect(seen.csp).toEqual([]);
  expect(seen.dialogs).toEqual([]);
}

test.describe('typed text is rendered as text', () => {
  test.setTimeout(180_000);

  test('prompts, readers and stories show the injections as they are', async ({ page, request }) => {
    const seen = await watch(page);
    const tag = unique('xss');
    const promptTitle = `${tag} ${SCRIPT} ${IMG}`;
    const promptContent = `Content ${tag} ${IMG} ${SCRIPT}`;
    const prompt = await createPrompt(request, { title: promptTitle, content: promptContent });

    // A name holds 60 characters: one injection per reader, both in each one's interests.
    const scriptReader = `${tag} ${SCRIPT}`;
    const imgReader = `${tag} ${IMG}`;
    const interests = [SCRIPT, IMG];
    const reader = await createReader(request, { name: scriptReader, age: 6, interests });
    await createReader(request, { name: imgReader, age: 7, interests });

    // A story for the first reader, stopped at once; its corrected title and text hold both.
    const asked = await call<StoryOut>(request, 'POST', '/api/stories', { prompt: `An owl ${tag}`, profile_id: reader.id }, 202);
    await call<StoryOut>(request, 'POST', `/api/stories/${asked.id}/cancel`, {}, 200);
    await finishedStory(request, asked.id);
    const storyTitle = `Story ${tag} ${SCRIPT}`;
    const storyBody = `Once upon a time ${IMG} and then ${SCRIPT} the end.`;
    await call<StoryOut>(request, 'PATCH', `/api/stories/${asked.id}`, { title: storyTitle, text: `Title: ${storyTitle}\n\n${storyBody}` }, 200);

    await test.step('the prompt list', async () => {
      await open(page, `/prompts?q=${encodeURIComponent(tag)}`);
      const card = page.getByTestId('prompt-card').filter({ hasText: promptTitle });
      await expect(card).toBeVisible();
      await expect(card).toContainText(promptContent);
      await assertNothingRan(page, seen);
    });

    await test.step('the prompt editor', async () => {
      await open(page, `/prompts/${String(prompt.id)}`);
      await expect(page.getByRole('textbox', { name: 'Title' })).toHaveValue(promptTitle);
      await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue(promptContent);
      await assertNothingRan(page, seen);
    });

    await test.step('the readers', async () => {
      await open(page, '/readers');
      for (const name of [scriptReader, imgReader]) {
        const card = page.getByTestId('reader-card').filter({ hasText: name });
        await expect(card).toBeVisible();
        for (const interest of interests) await expect(card).toContainText(interest);
      }
      await assertNothingRan(page, seen);
      await open(page, `/readers/${String(reader.id)}`);
      await expect(page.getByRole('heading', { level: 1, name: scriptReader })).toBeVisible();
      await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue(scriptReader);
      for (const interest of interests) await expect(page.getByText(interest, { exact: true })).toBeVisible();
      await assertNothingRan(page, seen);
    });

    await test.step('the new story page', async () => {
      await open(page, '/stories/new');
      for (const name of [scriptReader, imgReader]) {
        await expect(page.locator('label', { hasText: name })).toBeVisible(); // a chip: its radio is hidden
        await expect(page.getByRole('radio', { name: new RegExp(escape(name)) })).toBeAttached();
      }
      await expect(page.getByTestId('prompt-choice').filter({ hasText: promptTitle })).toBeVisible();
      await assertNothingRan(page, seen);
    });

    await test.step('the story page', async () => {
      await open(page, `/stories/${String(asked.id)}`);
      await expect(page.getByRole('heading', { level: 1, name: storyTitle })).toBeVisible();
      await expect(page.getByTestId('story-text')).toContainText(storyBody);
      await assertNothingRan(page, seen);
    });

    await test.step('the tokens page', async () => {
      const tokenName = `${tag} ${SCRIPT} ${IMG}`;
      const token = await call<{ id: number }>(request, 'POST', '/api/tokens', { name: tokenName }, 201);
      await open(page, '/tokens');
      await expect(page.getByText(tokenName, { exact: true })).toBeVisible();
      await assertNothingRan(page, seen);
      expect((await request.delete(`/api/tokens/${String(token.id)}`, { headers: await changeHeaders(request) })).status()).toBe(204);
    });

    await test.step('the library', async () => {
      await open(page, '/');
      const card = page.getByText(storyTitle, { exact: true });
      await expect(card).toBeVisible();
      await expect(page.getByText(scriptReader).first()).toBeVisible();
      await assertNothingRan(page, seen);
    });
  });
});

test('the account pages and the API docs work under their policy', async ({ page }) => {
  const seen = await watch(page);
  for (const [path, heading] of [
    ['/settings', 'Settings'],
    ['/account', 'Account'],
    ['/tokens', 'API tokens'],
    ['/users', 'Users'],
  ] as const) {
    await open(page, path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await assertNothingRan(page, seen);
  }
  await page.goto('/api/docs/swagger');
  await expect(page.getByText('Storybot API', { exact: false }).first()).toBeVisible(); // its inline start-up ran
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
  expect(seen.csp).toEqual([]);
});

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('the sign-in page works under the policy', async ({ page }) => {
    const seen = await watch(page);
    await open(page, '/sign-in');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await assertNothingRan(page, seen);
  });
});

/** A text as a literal regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
