import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

import { ADMIN } from './accounts';

export { ADMIN, expect };

/** A browser with no session: `test.use({ storageState: SIGNED_OUT })`. */
export const SIGNED_OUT = { cookies: [], origins: [] };

/** The admin's API token (made by global-setup.ts), for calls that are not what a test checks. */
export function adminToken(): string {
  const token = process.env.STORYBOT_E2E_TOKEN;
  if (!token) throw new Error('STORYBOT_E2E_TOKEN is not set: run the suite through playwright.config.ts (global-setup.ts)');
  return token;
}

/** `Authorization: Bearer <token>`: an API call signed in by a token needs no CSRF token. */
export function bearer(token: string = adminToken()): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/**
 * The tests' fixtures: `page` starts signed in as the admin (playwright.config.ts's
 * storage state), and `request` calls the API as the admin with the bearer token,
 * without the browser's cookie (so that it never needs a CSRF token).
 */
export const test = base.extend({
  request: async ({ playwright, baseURL }, use) => {
    const request = await playwright.request.newContext({ baseURL, storageState: SIGNED_OUT, extraHTTPHeaders: bearer() });
    await use(request);
    await request.dispose();
  },
});

/** A text no other test uses, so tests never see each other's prompts. */
export function unique(label: string): string {
  return `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export type PromptOut = { id: number; title: string; content: string };

/**
 * The headers a change sent with `request` needs, whoever it is signed in as:
 * a session cookie (the browser's `page.request`, or a context made from the
 * storage state) needs its CSRF token, which `GET /api/me` gives; a bearer
 * token needs nothing more; and a request signed in by neither goes as the
 * admin, with the admin's token.
 */
export async function changeHeaders(request: APIRequestContext): Promise<Record<string, string>> {
  const me = await request.get('/api/me');
  if (me.status() === 401) return bearer();
  if (!me.ok()) throw new Error(`GET /api/me: ${me.status()} ${await me.text()}`);
  const { csrf_token: csrf } = (await me.json()) as { csrf_token: string | null };
  return csrf ? { 'X-CSRF-Token': csrf } : {};
}

/** Add a prompt straight through the API (the UI is not what such a test checks). */
export async function createPrompt(request: APIRequestContext, data: { content: string; title?: string }): Promise<PromptOut> {
  const response = await request.post('/api/prompts', { data, headers: await changeHeaders(request) });
  if (response.status() !== 201) throw new Error(`POST /api/prompts: ${response.status()} ${await response.text()}`);
  return (await response.json()) as PromptOut;
}

export type ReaderOut = { id: number; name: string };

/** Add a reader through the API. */
export async function createReader(request: APIRequestContext, data: { name: string } & Record<string, unknown>): Promise<ReaderOut> {
  const response = await request.post('/api/profiles', { data, headers: await changeHeaders(request) });
  if (response.status() !== 201) throw new Error(`POST /api/profiles: ${response.status()} ${await response.text()}`);
  return (await response.json()) as ReaderOut;
}

/** Make an account as the admin (`POST /api/users`); its email is unique to the test. */
export async function createAccount(
  request: APIRequestContext,
  data: { email: string; password: string; role?: 'admin' | 'member' },
): Promise<{ id: number; email: string }> {
  const response = await request.post('/api/users', { data: { role: 'member', ...data }, headers: await changeHeaders(request) });
  if (response.status() !== 201) throw new Error(`POST /api/users: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { id: number; email: string };
}

/** An email no other test uses. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

/** Sign in on the sign-in page the browser is on (or is sent to). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** What axe finds serious or critical on the page as it is now (WCAG 2.1 A/AA and best practice). */
export async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Open the user menu (top right) of whoever is signed in. */
export async function openUserMenu(page: Page, email: string) {
  await page.getByRole('button', { name: `Account menu for ${email}` }).click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  return menu;
}
