// Debian's Chromium driven by playwright-core, for end-to-end tests of the web console.
// No browser is downloaded: CI installs the `chromium` package (.ci/run).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the console tests drive Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
  }
  // A fresh profile per launch (playwright's default); no background networking, which the
  // closed CI network refuses.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Numbered full-page screenshots under reports/<folder>/, kept as test artifacts. */
export function screenshots(folder: string) {
  const dir = join('reports', folder);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page: Page, name: string) => {
    n++;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}

/** Problems the page reported: uncaught exceptions and console errors (CSP violations included). */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    // The browser logs every 4xx answer; the tests cause some on purpose and check what the page shows.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of 4')) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/**
 * axe-core's WCAG 2.2 A and AA rules (and its best practices) on the page as it is now:
 * one line per violation, with the elements concerned.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // DevTools evaluation is not subject to the page's Content-Security-Policy.
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(axe.source);
  return page.evaluate<string[]>(`
    axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })
      .then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))
  `);
}
