import { ADMIN, expect, seriousViolations, SIGNED_OUT, test, unique } from './support';

test('creates an API token shown once, a script uses it, and revoking it stops it', async ({ page, playwright, baseURL }) => {
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto('/tokens');
  await expect(page.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();

  const name = unique('bedtime script');
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();

  const shown = page.getByRole('region', { name: `Token “${name}” created` });
  await expect(shown).toBeVisible();
  await expect(shown.getByText('you will not see it again')).toBeVisible();
  await expect(shown.getByRole('button', { name: 'Copy token' })).toBeVisible();
  const token = await shown.getByRole('textbox', { name: 'Token' }).inputValue();
  expect(token.length).toBeGreaterThan(20);
  expect(await seriousViolations(page)).toEqual([]);

  // A script: no cookie, only the token.
  const script = await playwright.request.newContext({ baseURL, storageState: SIGNED_OUT, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  try {
    const me = await script.get('/api/me');
    expect(me.status()).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe(ADMIN.email);
    expect((await script.post('/api/prompts', { data: { content: unique('From a script') } })).status()).toBe(201);

    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await expect(shown).toBeHidden();
    await page.reload();
    const row = page.getByTestId('token-row').filter({ hasText: name });
    await expect(row).toContainText(token.slice(0, 8));
    await expect(row).not.toContainText(token);
    await expect(page.getByText(token)).toHaveCount(0);

    await page.getByRole('button', { name: `Revoke “${name}”` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this token?' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByText(`Token “${name}” revoked.`)).toBeVisible();
    await expect(row).toHaveCount(0);
    expect((await script.get('/api/me')).status()).toBe(401);
  } finally {
    await script.dispose();
  }
});
