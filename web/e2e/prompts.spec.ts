import { createPrompt, expect, test, unique } from './support';

test.describe('the prompts screen, against the real server', () => {
  test('adds a prompt', async ({ page, request }) => {
    const content = unique('A bedtime story about a brave fox');
    await page.goto('/prompts');
    await expect(page.getByRole('heading', { level: 1, name: 'Prompts' })).toBeVisible();

    await page.getByLabel('New prompt').fill(content);
    await page.getByRole('button', { name: 'Add prompt' }).click();

    await expect(page.getByText('Prompt added.')).toBeVisible();
    await expect(page.getByTestId('prompt-card').filter({ hasText: content })).toBeVisible();
    await expect(page.getByLabel('New prompt')).toHaveValue('');

    const saved = await request.get('/api/prompts', { params: { q: content } });
    expect(((await saved.json()) as { total: number }).total).toBe(1);
  });

  test('warns about an empty prompt and sends nothing', async ({ page }) => {
    await page.goto('/prompts');
    await expect(page.getByTestId('prompt-card').first()).toBeVisible(); // the example prompts
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });

    await page.getByLabel('New prompt').fill('   ');
    await page.getByRole('button', { name: 'Add prompt' }).click();

    await expect(page.getByText('Write the prompt first, then add it.')).toBeVisible();
    expect(posts).toEqual([]);
  });

  test('deletes a prompt after confirming', async ({ page, request }) => {
    const title = unique('Mayfly');
    const prompt = await createPrompt(request, { title, content: 'A story that will not last.' });
    await page.goto(`/prompts?q=${encodeURIComponent(title)}`);

    await page.getByRole('button', { name: `Delete “${title}”` }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this prompt?' });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Delete' }).click();

    await expect(page.getByText('Prompt deleted.')).toBeVisible();
    await expect(page.getByTestId('prompt-card').filter({ hasText: title })).toHaveCount(0);
    expect((await request.get(`/api/prompts/${prompt.id}`)).status()).toBe(404);
  });

  test('switches to Japanese and keeps it after a reload', async ({ page }) => {
    await page.goto('/prompts');
    await expect(page.getByRole('heading', { level: 1, name: 'Prompts' })).toBeVisible();

    await page.getByText('日本語').click();

    await expect(page.getByRole('heading', { level: 1, name: 'プロンプト' })).toBeVisible();
    await expect(page.getByRole('button', { name: '追加する' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'プロンプト' })).toBeVisible();

    await page.getByRole('button', { name: '追加する' }).click();
    await expect(page.getByText('プロンプトを入力してから追加してください。')).toBeVisible();
  });

  test('opens a prompt at its own address and saves a change', async ({ page, request }) => {
    const title = unique('Owl');
    const prompt = await createPrompt(request, { title, content: 'An owl who is afraid of the {{thing}}.' });

    await page.goto(`/prompts/${prompt.id}`); // served by Flask's index.html fallback
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
    await page.getByLabel('Title').fill(`${title} (edited)`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Changes saved.')).toBeVisible();

    const saved = (await (await request.get(`/api/prompts/${prompt.id}`)).json()) as { title: string };
    expect(saved.title).toBe(`${title} (edited)`);
  });

  test('shows a server error with its trace id', async ({ page }) => {
    // A prompt over the server's 10,000 characters: the server's 422, not the browser's, answers.
    await page.goto('/prompts');
    await page.route('**/api/prompts', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      return route.continue({ postData: JSON.stringify({ content: 'x'.repeat(10_001) }) });
    });
    await page.getByLabel('New prompt').fill('This one the server refuses');
    await page.getByRole('button', { name: 'Add prompt' }).click();

    const toast = page.locator('.Toastify__toast').filter({ hasText: "Some of what you entered isn't accepted" });
    await expect(toast).toBeVisible();
    await expect(toast.getByText(/^Trace id: [0-9a-f]{32}$/)).toBeVisible();
    await expect(toast.getByRole('button', { name: 'Copy the trace id' })).toBeVisible();
  });

  test('the API keeps its JSON 404 next to the app', async ({ request }) => {
    const response = await request.get('/api/nope');
    expect(response.status()).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const page = await request.get('/prompts/12345');
    expect(page.status()).toBe(200);
    expect(page.headers()['content-type']).toContain('text/html');
  });
});
