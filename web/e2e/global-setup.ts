import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const WEB_DIR = resolve(import.meta.dirname, '..');
const ROOT = resolve(WEB_DIR, '..');
const PYTHON = process.env.STORYBOT_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitForHealth(url: string, isAlive: () => boolean, log: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`storybot serve exited early:\n${readFileSync(log, 'utf8')}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`storybot serve did not answer /api/health in time:\n${readFileSync(log, 'utf8')}`);
}

/** Build the UI, start the real server on a fresh database, and stop it after the run. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  if (!existsSync(join(ROOT, 'storybot', 'static', 'index.html'))) {
    throw new Error('storybot/static/index.html is missing: run npm run build');
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'storybot-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(dataDir, 'serve-output.txt');
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STORYBOT_')));
  const server = spawn(PYTHON, ['-m', 'storybot', 'serve'], {
    cwd: ROOT,
    env: { ...env, STORYBOT_DATA_DIR: dataDir, STORYBOT_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(log);
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  let alive = true;
  server.on('exit', () => {
    alive = false;
  });

  await waitForHealth(url, () => alive, log);
  process.env.STORYBOT_E2E_URL = url;
  console.log(`Storybot for e2e: ${url} (data in ${dataDir})`);

  return async () => {
    if (alive) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    if (process.env.E2E_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
  };
}
