/**
 * Helpers of the dashboard's end-to-end tests in real headless Chromium (chromium.ts). Without Chromium the tests
 * skip locally with a message saying so, and fail in CI (CI set), where a silent skip would hide that nothing ran.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { describe } from "vitest";
import { CHROMIUM_PATH, chromiumAvailable } from "./chromium.js";

export { launchChromium } from "./chromium.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const SCREENSHOT_DIR = path.join(repoRoot, ".ci-out", "screenshots");

const skip = !chromiumAvailable && !process.env.CI;
if (skip) {
  console.warn(`The dashboard's browser tests are skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install it).`);
}

/** `describe`, or in a local run without Chromium a skipped one (the reason is printed). */
export const describeInBrowser = describe.skipIf(skip);

export async function screenshot(page: Page, name: string, copyTo?: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  // The README's images are refreshed only on request (UPDATE_README_IMAGES=1), so a test run leaves the tree clean.
  if (copyTo && process.env.UPDATE_README_IMAGES === "1") {
    await page.screenshot({ path: path.join(repoRoot, copyTo), fullPage: false });
  }
}

/** Waits until the text of `selector` (the first match) satisfies `accept`, without reloading the page. */
export async function waitForText(page: Page, selector: string, accept: string | RegExp, timeout = 10_000) {
  await page.waitForFunction(
    ({ selector, source, flags }) => {
      // Runs in the page: its document, typed here without the DOM library.
      type Found = { textContent: string | null } | null;
      const page = globalThis as unknown as { document: { querySelector(s: string): Found } };
      const text = page.document.querySelector(selector)?.textContent ?? "";
      return new RegExp(source, flags).test(text);
    },
    typeof accept === "string"
      ? { selector, source: `^${accept.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, flags: "" }
      : { selector, source: accept.source, flags: accept.flags },
    { timeout },
  );
}
