import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// One real `storybot serve` on a free loopback port and a fresh data dir: the
// suite's shared server (global-setup.ts) and, for the first-run spec, a
// brand-new one of its own.

const ROOT = resolve(import.meta.dirname, '..', '..');
const PYTHON = process.env.STORYBOT_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

export type RunningServer = {
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
};

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

/** Start `storybot serve` on a new database; `stop()` ends it and removes its data (unless E2E_KEEP_DATA=1). */
export async function startServer(): Promise<RunningServer> {
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

  return {
    url,
    dataDir,
    stop: async () => {
      if (alive) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (process.env.E2E_KEEP_DATA !== '1') rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
