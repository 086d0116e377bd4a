import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests against the real Storybot server (see e2e/global-setup.ts,
 * which builds the UI, starts `storybot serve` on a free port and a fresh
 * database, and puts its address in STORYBOT_E2E_URL for the workers).
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
