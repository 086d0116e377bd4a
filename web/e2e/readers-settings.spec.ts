import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { expect, test, unique } from './support';

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

type ReaderOut = { id: number; name: string; age: number | null; interests: string[] };

async function createReader(request: APIRequestContext, data: Record<string, unknown>): Promise<ReaderOut> {
  const response = await request.post('/api/profiles', { data });
  if (response.status() !== 201) throw new Error(`POST /api/profiles: ${response.status()} ${await response.text()}`);
  return (await response.json()) as ReaderOut;
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

test.beforeAll(() => {
  mkdirSync(SCREENSHOTS, { recursive: true });
});

test.describe('readers, against the real server', () => {
  test('creates a reader through the form, edits and deletes them', async ({ page, request }) => {
    const name = unique('Mia');
    await page.goto('/readers');
    await expect(page.getByRole('heading', { level: 1, name: 'Readers' })).toBeVisible();

    await page.getByRole('button', { name: 'New reader' }).click();
    const dialog = page.getByRole('dialog', { name: 'New reader' });
    await dialog.getByRole('button', { name: 'Add reader' }).click();
    await expect(dialog.getByText('Enter a name.')).toBeVisible();

    await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
    await dialog.getByRole('textbox', { name: 'Age' }).fill('6');
    await dialog.getByRole('textbox', { name: 'Interests' }).fill('dinosaurs');
    await dialog.getByRole('textbox', { name: 'Interests' }).press('Enter');
    await dialog.getByRole('button', { name: 'Use 🦊 as the avatar' }).click();
    await dialog.getByRole('button', { name: 'Add reader' }).click();

    await expect(page.getByText(`${name} was added.`)).toBeVisible();
    const card = page.getByTestId('reader-card').filter({ hasText: name });
    await expect(card).toContainText('6 years old');
    await expect(card).toContainText('🦊');

    await card.getByRole('link', { name: `Edit ${name}` }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    const readerUrl = page.url();
    await page.getByRole('textbox', { name: 'Age' }).fill('7');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Changes saved.')).toBeVisible();
    const id = Number(new URL(readerUrl).pathname.split('/').at(-1));
    const saved = (await (await request.get(`/api/profiles/${id}`)).json()) as ReaderOut;
    expect(saved.age).toBe(7);
    expect(saved.interests).toEqual(['dinosaurs']);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download everything about ${name}` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^storybot-reader-[a-z0-9-]+\.zip$/);

    await page.getByRole('button', { name: `Delete ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${name}?` });
    await expect(confirm).toContainText('every story written for them');
    await confirm.getByRole('button', { name: 'Delete reader and stories' }).click();
    await expect(page.getByText(`${name} and their stories were deleted.`)).toBeVisible();
    await expect(page).toHaveURL(/\/readers$/);
    expect((await request.get(`/api/profiles/${id}`)).status()).toBe(404);
  });

  test('the readers screen has no serious accessibility problem', async ({ page, request }) => {
    // Initials, not emoji: the screenshots must not depend on the machine's emoji font.
    await createReader(request, { name: 'Ren', age: 5, language: 'en', interests: ['trains', 'dinosaurs'] });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.goto('/readers');
    await expect(page.getByTestId('reader-card').first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'readers.png') });

    await page.getByRole('button', { name: 'New reader' }).click();
    await expect(page.getByRole('dialog', { name: 'New reader' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test.describe('readers in Japanese', () => {
  test.use({ locale: 'ja-JP' });

  test('the readers screen reads in Japanese with no serious accessibility problem', async ({ page, request }) => {
    await createReader(request, { name: 'はると', age: 4, language: 'ja', interests: ['でんしゃ', 'きょうりゅう'] });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.goto('/readers');
    await expect(page.getByRole('heading', { level: 1, name: '読み手' })).toBeVisible();
    await expect(page.getByTestId('reader-card').first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'readers-ja.png') });
  });
});

test.describe('settings, against the real server', () => {
  test('changes the default length and keeps it after a reload', async ({ page, request }) => {
    const before = (await (await request.get('/api/settings')).json()) as { default_length: string };
    const next = before.default_length === 'long' ? 'Short' : 'Long';
    try {
      await page.goto('/settings');
      await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
      await expect(page.getByTestId('engine-card').first()).toBeVisible();

      const everyone = page.getByRole('form', { name: 'Defaults for everyone' });
      await everyone.getByText(next, { exact: true }).click();
      await everyone.getByRole('button', { name: 'Save defaults' }).click();
      await expect(page.getByText('Defaults saved.')).toBeVisible();

      await page.reload();
      await expect(page.getByRole('button', { name: 'Save defaults' })).toBeVisible();
      await expect(everyone.getByRole('radio', { name: next })).toBeChecked();
    } finally {
      await request.patch('/api/settings', { data: { default_length: before.default_length } });
    }
  });

  test('the settings screen has no serious accessibility problem', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.goto('/settings');
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expect(page.getByTestId('engine-card').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save defaults' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'settings.png'), fullPage: true });
  });
});
