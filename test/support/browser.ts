import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`): Playwright's own browser downloads
 * (`npx playwright install`) cannot be fetched on these machines.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchOptions {
  /** Extra Chromium switches, e.g. FAKE_MEDIA_ARGS for a microphone in headless runs. */
  extraArgs?: readonly string[];
}

/** A fake microphone (a beep) that needs no permission prompt. */
export const FAKE_MEDIA_ARGS: readonly string[] = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

/**
 * Launches headless Chromium for end-to-end tests. Open pages with `browser.newContext()` (one
 * per signed-in user: contexts do not share cookies) and call `browser.close()` in teardown.
 *
 * Every launch gets a fresh, empty profile: Playwright creates a new temporary `--user-data-dir`
 * (it refuses one in `args`) and deletes it when the browser closes.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
    timeout: 30_000,
  });
}
