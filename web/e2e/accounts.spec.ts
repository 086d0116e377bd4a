import { createReader, expect, openUserMenu, seriousViolations, signIn, SIGNED_OUT, test, unique, uniqueEmail } from './support';

type StoryOut = { id: number; title: string };

test('the admin adds a member, who signs in and sees none of the admin’s readers or stories', async ({ page, browser, request }) => {
  // The admin's own reader and story (the story is cancelled at once: only its existence matters here).
  const reader = await createReader(request, { name: unique('Admin child'), age: 6 });
  const created = await request.post('/api/stories', { data: { profile_id: reader.id, prompt: unique('A secret owl'), length: 'short' } });
  expect(created.status()).toBe(202);
  const story = (await created.json()) as StoryOut;
  await request.post(`/api/stories/${story.id}/cancel`);

  // The admin adds the member on the users page.
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto('/users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await expect(page.getByTestId('user-row').first()).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  const email = uniqueEmail('member');
  await page.getByRole('button', { name: 'Add a user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByRole('textbox', { name: 'Email' }).fill(email);
  await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('member first password');
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText(`${email} can sign in now.`)).toBeVisible();
  const row = page.getByTestId('user-row').filter({ hasText: email });
  await expect(row).toContainText('Member');
  await expect(row).toContainText('Active');

  // The member, in a browser of their own.
  const context = await browser.newContext({ storageState: SIGNED_OUT });
  const member = await context.newPage();
  try {
    await member.goto('/readers');
    await signIn(member, email, 'member first password');
    await expect(member.getByRole('heading', { level: 1, name: 'Readers' })).toBeVisible();
    await expect(member.getByRole('button', { name: 'Create your first reader' })).toBeVisible();
    await expect(member.getByText(reader.name)).toHaveCount(0);

    await member.goto('/');
    await expect(member.getByRole('heading', { level: 1, name: 'Stories' })).toBeVisible();
    await expect(member.getByTestId('story-card')).toHaveCount(0);

    // The admin's ids answer as if they did not exist.
    await member.goto(`/readers/${reader.id}`);
    await expect(member.getByText("This reader doesn't exist. They may have been deleted.")).toBeVisible();
    expect((await member.request.get(`/api/profiles/${reader.id}`)).status()).toBe(404);
    expect((await member.request.get(`/api/stories/${story.id}`)).status()).toBe(404);

    // Admin-only things are not theirs to use.
    const menu = await openUserMenu(member, email);
    await expect(menu.getByText('Member', { exact: true })).toBeVisible();
    await expect(menu.getByRole('menuitem', { name: 'Users' })).toHaveCount(0);
    await member.keyboard.press('Escape');
    await member.goto('/settings');
    await expect(member.getByText('Only an admin can change these')).toBeVisible();
    await expect(member.getByRole('button', { name: 'Save defaults' })).toHaveCount(0);
    expect(await seriousViolations(member)).toEqual([]);
    // Their own defaults are theirs to choose.
    const mine = member.getByRole('form', { name: 'Your defaults for new stories' });
    await mine.getByRole('textbox', { name: 'Length' }).click();
    await member.getByRole('option', { name: 'Long', exact: true }).click();
    await mine.getByRole('button', { name: 'Save my defaults' }).click();
    await expect(member.getByText('Your defaults are saved.')).toBeVisible();
    const defaults = (await (await member.request.get('/api/me/defaults')).json()) as { default_length: string | null };
    expect(defaults.default_length).toBe('long');
    await member.goto('/users');
    await expect(member.getByText('Only an admin can see this page')).toBeVisible();
  } finally {
    await context.close();
  }

  // Disabled, they can no longer sign in.
  await row.getByRole('button', { name: `Actions for ${email}` }).click();
  await page.getByRole('menuitem', { name: 'Disable account…' }).click();
  await page.getByRole('dialog', { name: `Disable ${email}?` }).getByRole('button', { name: 'Disable' }).click();
  await expect(row).toContainText('Disabled');
  const refused = await browser.newContext({ storageState: SIGNED_OUT });
  try {
    const again = await refused.newPage();
    await again.goto('/');
    await signIn(again, email, 'member first password');
    await expect(again.getByRole('alert')).toContainText("That email and password don't match an account.");
  } finally {
    await refused.close();
  }
});
