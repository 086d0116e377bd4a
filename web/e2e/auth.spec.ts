import { ADMIN, createAccount, expect, openUserMenu, seriousViolations, signIn, SIGNED_OUT, test, uniqueEmail } from './support';

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('a page asked for leads to sign-in; a wrong password says so; the right one opens the page', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
    await page.goto('/readers?from=e2e');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Freaders%3Ffrom%3De2e$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);

    await signIn(page, ADMIN.email, 'not the password');
    await expect(page.getByRole('alert')).toContainText("That email and password don't match an account.");
    await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);

    await signIn(page, ADMIN.email, ADMIN.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Readers' })).toBeVisible();
    await expect(page).toHaveURL(/\/readers\?from=e2e$/);
  });

  test('signs in and out; after signing out the app asks to sign in again', async ({ page, request }) => {
    // An account of its own: signing out ends that session, never the suite's admin session.
    const email = uniqueEmail('out');
    await createAccount(request, { email, password: 'sign out password' });
    await page.goto('/');
    await signIn(page, email, 'sign out password');
    await expect(page.getByRole('heading', { level: 1, name: 'Stories' })).toBeVisible();
    expect((await page.request.get('/api/me')).status()).toBe(200);

    const menu = await openUserMenu(page, email);
    await menu.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in$/);
    // The cookie is gone or dead: the API says 401, the app sends to sign-in.
    expect((await page.request.get('/api/me')).status()).toBe(401);
    await page.goto('/prompts');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fprompts$/);
  });
});

test('a session that ends while the app is open leads to sign-in, and back to the same place', async ({ page, context }) => {
  await page.goto('/readers');
  await expect(page.getByRole('heading', { level: 1, name: 'Readers' })).toBeVisible();

  // As if the session expired: the next request answers 401.
  await context.clearCookies();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' }).click();
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fprompts$/);

  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Prompts' })).toBeVisible();
  await expect(page).toHaveURL(/\/prompts$/);
});

test('an unsafe request without the CSRF token is refused, with it accepted', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Stories' })).toBeVisible();
  // page.request shares the browser's cookie.
  const without = await page.request.post('/api/prompts', { data: { content: 'No CSRF token' } });
  expect(without.status()).toBe(403);
  expect(((await without.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
  const me = (await (await page.request.get('/api/me')).json()) as { csrf_token: string };
  const withToken = await page.request.post('/api/prompts', { data: { content: 'With the CSRF token' }, headers: { 'X-CSRF-Token': me.csrf_token } });
  expect(withToken.status()).toBe(201);
});

test.describe('in Japanese', () => {
  test.use({ storageState: SIGNED_OUT, locale: 'ja-JP' });

  test('the sign-in page reads in Japanese with no serious accessibility problem', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'サインイン' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    await page.getByRole('button', { name: 'サインイン' }).click();
    await expect(page.getByText('メールアドレスを入力してください。')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
