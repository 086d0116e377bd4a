import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { expect, test } from './support';

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

async function openPrompts(page: Page, heading: string): Promise<void> {
  await page.goto('/prompts');
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await expect(page.getByTestId('prompt-card').first()).toBeVisible();
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

for (const scheme of ['light', 'dark'] as const) {
  test(`the prompts screen has no serious accessibility problem (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    await openPrompts(page, 'Prompts');
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, scheme === 'dark' ? 'prompts-dark.png' : 'prompts-en.png') });
  });
}

test('the delete dialog has no serious accessibility problem', async ({ page }) => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await openPrompts(page, 'Prompts');
  await page.getByTestId('prompt-card').first().getByRole('button', { name: /^Delete/ }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test.describe('in Japanese (from the browser language)', () => {
  test.use({ locale: 'ja-JP' });

  test('the prompts screen reads in Japanese with no serious accessibility problem', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await openPrompts(page, 'プロンプト');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'prompts-ja.png') });
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('the places are a bottom bar', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await openPrompts(page, 'Prompts');
    const bar = page.getByRole('navigation', { name: 'Main' });
    await expect(bar).toHaveCount(1); // the sidebar is hidden on a phone
    await expect(bar.getByRole('link', { name: 'Prompts' })).toHaveAttribute('aria-current', 'page');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'prompts-phone.png') });
  });
});

test('a prompt page (the editor) has no serious accessibility problem', async ({ page, request }) => {
  const response = await request.post('/api/prompts', {
    data: {
      title: 'The brave little {{animal}}',
      content: 'A bedtime story for {{reader.name}} about a brave little {{animal}} who finds {{count}} stars.',
      tags: ['bedtime'],
      variables: [
        { name: 'animal', type: 'choice', options: ['fox', 'owl', 'hedgehog'], default: 'fox', label: 'Animal' },
        { name: 'count', type: 'number', default: 3, label: 'How many stars' },
      ],
    },
  });
  const { id } = (await response.json()) as { id: number };
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto(`/prompts/${id}`);
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: resolve(SCREENSHOTS, 'prompt-editor.png'), fullPage: true });
});
