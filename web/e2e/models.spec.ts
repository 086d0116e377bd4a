import { expect, test } from './support';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A model file by its link, end to end: a local file server hands out the built-in
// GGUF file slowly enough to see the progress; the real Storybot downloads it, and
// "Use it" makes it an engine that writes Japanese.

type LocalModel = { name: string; path: string; source: string };
type Settings = { engines: Record<string, unknown>; default_engine: string };

function serveSlowly(path: string): Promise<Server> {
  const size = statSync(path).size;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' });
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      response.write(chunk);
      stream.pause();
      setTimeout(() => stream.resume(), 25); // about 40 MB/s: a few seconds in all
    });
    stream.on('end', () => response.end());
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

test('a model file added by its link becomes an engine that writes Japanese', async ({ page, request }) => {
  const models = (await (await request.get('/api/models')).json()) as { items: LocalModel[] };
  const builtin = models.items.find((m) => m.source === 'builtin');
  expect(builtin, 'the built-in model is installed (scripts/install.sh)').toBeDefined();
  const before = (await (await request.get('/api/settings')).json()) as Settings;
  const files = await serveSlowly(builtin?.path ?? '');
  const name = `e2e-${Date.now().toString(36)}`;
  const link = `http://127.0.0.1:${(files.address() as AddressInfo).port}/files/${name}.gguf`;
  try {
    await page.goto('/settings#settings-model-files');
    const section = page.getByRole('region', { name: 'Model files' });
    await section.getByLabel(/^Link to a .gguf file/).fill(link);
    await section.getByRole('button', { name: 'Download' }).click();

    await expect(section.getByRole('progressbar', { name: `Downloading ${name}.gguf` })).toBeVisible();
    await expect(section.getByText(/ of 98 MB$/)).toBeVisible();
    await expect(page.getByText(`${name}.gguf is downloaded.`, { exact: false })).toBeVisible({ timeout: 30_000 });

    const row = section.getByTestId('model-file').filter({ hasText: name });
    await expect(row).toContainText('Downloaded');
    await row.getByRole('button', { name: `Use ${name}` }).click();
    await row.getByRole('checkbox', { name: '日本語' }).check();
    await row.getByRole('button', { name: 'Make it an engine' }).click();
    await expect(page.getByText(`Engine “${name}” added.`, { exact: false })).toBeVisible();

    const card = page.getByTestId('engine-card').filter({ hasText: name });
    await expect(card).toContainText('日本語');
    await expect(card).toContainText('Working');
  } finally {
    files.close();
    await request.patch('/api/settings', { data: { engines: before.engines, default_engine: before.default_engine } });
  }
});
