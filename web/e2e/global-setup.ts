import { request } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { startServer } from './server';
import { ADMIN, STATE_FILE_NAME } from './accounts';

const WEB_DIR = resolve(import.meta.dirname, '..');
const ROOT = resolve(WEB_DIR, '..');

/**
 * Build the UI, start the real server on a fresh database, create its first
 * admin (what the setup page does) and sign in: the browser's session cookie
 * goes into a storage state file every test starts from, and an API token
 * (STORYBOT_E2E_TOKEN) lets support.ts's helpers call the API as the admin.
 * The server stops after the run.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  if (!existsSync(join(ROOT, 'storybot', 'static', 'index.html'))) {
    throw new Error('storybot/static/index.html is missing: run npm run build');
  }

  const server = await startServer();
  const stateFile = join(server.dataDir, STATE_FILE_NAME);
  const api = await request.newContext({ baseURL: server.url });
  try {
    const setup = await api.post('/api/auth/setup', { data: { email: ADMIN.email, password: ADMIN.password } });
    if (setup.status() !== 201) throw new Error(`POST /api/auth/setup: ${setup.status()} ${await setup.text()}`);
    const { csrf_token: csrf } = (await setup.json()) as { csrf_token: string };
    const token = await api.post('/api/tokens', { data: { name: 'e2e helpers' }, headers: { 'X-CSRF-Token': csrf } });
    if (token.status() !== 201) throw new Error(`POST /api/tokens: ${token.status()} ${await token.text()}`);
    process.env.STORYBOT_E2E_TOKEN = ((await token.json()) as { token: string }).token;
    await api.storageState({ path: stateFile });
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await api.dispose();
  }

  process.env.STORYBOT_E2E_URL = server.url;
  process.env.STORYBOT_E2E_STATE = stateFile;
  console.log(`Storybot for e2e: ${server.url} (data in ${server.dataDir})`);
  return server.stop;
}
