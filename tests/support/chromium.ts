import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/setup.sh --tests installs it), or WAYMARK_CHROMIUM. */
function chromiumPath(): string {
  if (process.env.WAYMARK_CHROMIUM) return process.env.WAYMARK_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: run `bash scripts/setup.sh --tests` (npm test does), or set WAYMARK_CHROMIUM');
  }
}

/** Real Chromium, headless, as the console's browser tests drive it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
}

/** A console page's screenshot, in the run's folder and in WAYMARK_SCREENSHOTS_DIR when set (docs/images). */
export async function shootConsole(page: Page, name: string): Promise<void> {
  const dirs = [process.env.WAYMARK_TEST_DIR ?? fs.mkdtempSync('/tmp/console-'), process.env.WAYMARK_SCREENSHOTS_DIR].filter((d): d is string => Boolean(d));
  for (const dir of dirs) await page.screenshot({ path: path.join(dir, `console-${name}.png`), fullPage: true });
}

/** Signs in to the console at `baseUrl` with an API key and a name. */
export async function signInToConsole(page: Page, baseUrl: string, key: string, actor: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.fill('#key', key);
  await page.fill('#actor', actor);
  await page.click('button[type=submit]');
}
