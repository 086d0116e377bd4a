import { startServer, type RunningServer } from './server';
import { expect, openUserMenu, seriousViolations, SIGNED_OUT, test } from './support';

// The first run needs a server nobody has set up yet, and the suite's shared
// server got its first admin in global-setup.ts. So this spec starts a second,
// brand-new server of its own: it does not depend on running first, and the
// other specs never see the account it makes.

let fresh: RunningServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  fresh = await startServer();
});

test.afterAll(async () => {
  await fresh.stop();
});

test.use({ storageState: SIGNED_OUT });

test('a brand-new Storybot asks for its first account, then opens the library signed in', async ({ page, browser }) => {
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto(`${fresh.url}/readers`);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Storybot' })).toBeVisible();
  await expect(page).toHaveURL(/\/setup$/);
  expect(await seriousViolations(page)).toEqual([]);

  const form = page.getByRole('form', { name: 'Create the first account' });
  await form.getByRole('textbox', { name: 'Email' }).fill('Parent@Example.com');
  await form.getByRole('textbox', { name: 'New password', exact: true }).fill('a long first password');
  await form.getByRole('textbox', { name: 'Type the password again', exact: true }).fill('a long first passwort');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByText('The two passwords are not the same. Type them again.')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await form.getByRole('textbox', { name: 'Type the password again', exact: true }).fill('a long first password');
  await form.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Stories' })).toBeVisible();
  const menu = await openUserMenu(page, 'parent@example.com');
  await expect(menu.getByText('Admin', { exact: true })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Users' })).toBeVisible();
  await page.keyboard.press('Escape');
  // The new account has the example prompts.
  await page.goto(`${fresh.url}/prompts`);
  await expect(page.getByTestId('prompt-card').first()).toBeVisible();

  // Once the first account exists, setup is over: the page sends to sign-in, the API refuses.
  const other = await browser.newContext({ storageState: SIGNED_OUT });
  const stranger = await other.newPage();
  await stranger.goto(`${fresh.url}/setup`);
  await expect(stranger.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  const again = await other.request.post(`${fresh.url}/api/auth/setup`, { data: { email: 'x@example.com', password: 'another password' } });
  expect(again.status()).toBe(409);
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe('setup_done');
  await other.close();
});
