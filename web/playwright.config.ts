import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests against the real Storybot server (see e2e/global-setup.ts,
 * which builds the UI, starts `storybot serve` on a free port and a fresh
 * database, creates its first admin and signs in, and puts the address in
 * STORYBOT_E2E_URL and the signed-in browser state in STORYBOT_E2E_STATE for
 * the workers). Every test starts signed in as that admin; a test that needs
 * to be signed out says so with `test.use({ storageState: SIGNED_OUT })`.
 *
 * The browser is the system's Chromium (Debian package `chromium`); no
 * browser is ever downloaded. Set CHROMIUM_PATH to use another one.
 */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1, // one shared server on a small machine
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL: process.env.STORYBOT_E2E_URL,
    storageState: process.env.STORYBOT_E2E_STATE,
    locale: 'en-US',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
});
