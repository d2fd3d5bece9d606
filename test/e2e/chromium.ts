/**
 * Debian's headless Chromium (installed by .ci/run), driven by playwright-core: never a downloaded browser. Shared by
 * the e2e tests and the dashboard bench, so it imports nothing of the test runner.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium package.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}
