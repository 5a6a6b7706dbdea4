// The web console in Debian's Chromium (issue 9): from an empty server, an admin signs in,
// creates an organization, endpoints, a flow and a partner user, sets the triggers; the
// partner uploads with the real OpenSSH sftp; Activity shows the delivered transfer.
// Also: the API's validation errors next to the forms, a disabled user refused at login,
// retry of a dead delivery, keyboard use, a phone-sized screen, and axe-core's WCAG checks
// on every page. Screenshots of each step go to reports/console/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, Locator, Page } from 'playwright-core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { consoleFiles, consoleRoutes } from '../../src/admin/console.js';
import type { AdminEnv } from '../../src/admin/env.js';
import { createLogger } from '../../src/log.js';
import { startLocal, type LocalRuntime } from '../../src/runtime/local.js';
import { accessibilityViolations, launchChromium, pageProblems, screenshots } from '../support/browser.js';
import { generateKey, sftpBatch } from '../support/openssh.js';

const TOKEN = 'console-test-admin-token-0123456789';
const PASSWORD = 'partner-password-0123';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
let problems: string[];
let work: string;
let dataDir: string;
let base: string;
const shot = screenshots('console');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'thru-console-'));
  work = mkdtempSync(join(tmpdir(), 'thru-console-work-'));
  const sink = new Writable({ write: (_c, _e, done) => done() });
  runtime = await startLocal(
    { sftpPort: 0, adminPort: 0, dataDir, bind: '127.0.0.1', logLevel: 'info', demo: false, adminToken: TOKEN },
    createLogger('info', sink),
    // Short retries, so that a delivery to a broken folder is dead within a second.
    { pipeline: { retryBaseSeconds: 0.1, retryMaxSeconds: 0.2, maxAttempts: 2 } },
  );
  base = `http://127.0.0.1:${runtime.adminPort}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  problems = pageProblems(page);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const heading = (p: Page = page) => p.getByRole('heading', { level: 1 });
const status = () => page.getByRole('status');
const formAlert = (form: string) => page.getByRole('form', { name: form }).getByRole('alert');
const nav = (p: Page = page) => p.getByRole('navigation', { name: 'Main' });
const userRow = (username: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: username, exact: true }) });

// Page-side code is written as strings: the tests' TypeScript has no DOM types.
async function isFocused(locator: Locator): Promise<boolean> {
  const id = await locator.getAttribute('id');
  return id !== null && (await page.locator(':focus').getAttribute('id')) === id;
}

async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** Clicks Refresh until `row` shows `text` (deliveries move on their own). */
async function refreshUntil(row: Locator, text: string): Promise<void> {
  for (;;) {
    try {
      await row.filter({ hasText: text }).waitFor({ timeout: 500 });
      return;
    } catch {
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    }
  }
}

describe('the admin journey in the web console', () => {
  let orgUrl: string;

  it('signs in with the admin token (kept in sessionStorage only); a wrong token shows the API error', async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await waitForText(heading(), 'thru-sftp console');
    await page.getByLabel('Admin token').fill('not-the-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(formAlert('Sign in'), 'a valid admin token is required');
    expect(await page.getByLabel('Admin token').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'sign-in-refused');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(heading(), 'Organizations');
    expect(await page.evaluate('({ session: Object.values(sessionStorage), local: localStorage.length, cookies: document.cookie })')).toEqual({
      session: [TOKEN],
      local: 0,
      cookies: '',
    });
    await page.getByText('No organizations yet').waitFor();
    await shot(page, 'organizations-empty');
  });

  it('creates an organization and selects it', async () => {
    await page.getByLabel('Name').fill('Acme Bank');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await waitForText(status(), 'Organization Acme Bank created.');
    await shot(page, 'organization-created');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Acme Bank' }).click();
    await waitForText(heading(), 'Endpoints');
    await waitForText(nav(), 'Acme Bank');
    orgUrl = page.url();
  });

  it('+ Add Endpoint: a Thru SFTP Server endpoint shows its Public Url and host key fingerprint; an empty name shows the API error', async () => {
    await page.getByRole('button', { name: 'Add Endpoint' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    expect(await form.getByLabel('Type').inputValue()).toBe('thru-sftp-server');
    expect(await form.getByLabel('Type').locator('option').allTextContents()).toEqual(['Thru SFTP Server', 'S3', 'Webhook', 'Directory']);
    await form.getByRole('button', { name: 'Save' }).click();
    await waitForText(formAlert('New endpoint'), 'name cannot be empty');
    // The error is tied to its field, which gets the focus.
    const name = form.getByLabel('Endpoint Name');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(name)).toBe(true);
    await shot(page, 'endpoint-name-required');
    expect(await accessibilityViolations(page)).toEqual([]);

    await name.fill('acme-sftp');
    await form.getByLabel('Idle timeout (seconds)').fill('600');
    await form.getByLabel('Description').fill('Where Acme uploads');
    await form.getByRole('button', { name: 'Save' }).click();
    await waitForText(heading(), 'acme-sftp');
    await waitForText(status(), 'Endpoint acme-sftp created.');
    const detail = (term: string) => page.locator(`dt:text-is("${term}") + dd`);
    expect(await detail('Public Url').textContent()).toBe(`sftp://127.0.0.1:${runtime.sftpPort}`);
    expect(await detail('Host key fingerprint').textContent()).toBe(runtime.hostKeyFingerprint);
    expect(await detail('Connect with').textContent()).toBe(`sftp -P ${runtime.sftpPort} <user>@127.0.0.1`);
    expect(await detail('Idle timeout').textContent()).toBe('600 seconds');
    await shot(page, 'endpoint-sftp');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('adds a Directory endpoint to deliver into', async () => {
    await nav().getByRole('link', { name: 'Endpoints' }).click();
    await waitForText(heading(), 'Endpoints');
    await page.getByRole('button', { name: 'Add Endpoint' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('Endpoint Name').fill('delivered');
    await form.getByLabel('Type').selectOption({ label: 'Directory' });
    await form.getByLabel('Folder path').fill(join(work, 'delivered'));
    await form.getByRole('button', { name: 'Save' }).click();
    await waitForText(heading(), 'delivered');
    expect(await page.locator('dt:text-is("Folder path") + dd').textContent()).toBe(join(work, 'delivered'));
    await nav().getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('row', { name: /delivered/ }).waitFor();
    await shot(page, 'endpoints');
  });

  it('creates a flow from a source folder on the SFTP endpoint to the Directory target', async () => {
    await nav().getByRole('link', { name: 'Flows' }).click();
    await waitForText(heading(), 'Flows');
    await page.getByRole('button', { name: 'Add Flow' }).click();
    const form = page.getByRole('form', { name: 'New flow' });
    await form.getByLabel('Flow name').fill('acme-in');
    const source = form.getByRole('group', { name: 'Source 1' });
    await source.getByLabel('Endpoint').selectOption({ label: 'acme-sftp' });
    await source.getByLabel('Folder').fill('/in');
    await form.getByRole('group', { name: 'Target 1' }).getByLabel('Endpoint').selectOption({ label: 'delivered (Directory)' });
    await shot(page, 'flow-form');
    expect(await accessibilityViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Save' }).click();
    await waitForText(heading(), 'acme-in');
    await waitForText(page.getByRole('region', { name: 'Targets' }), 'delivered');
    await shot(page, 'flow');
    expect(await accessibilityViolations(page)).toEqual([]);
    const orgId = (await runtime.directory.organizations.list({ limit: 10 })).items[0]!.id;
    const [flow] = (await runtime.directory.flows.listByOrg(orgId, { limit: 10 })).items;
    expect(flow).toMatchObject({ name: 'acme-in', sources: [{ path: '/in' }], targets: [{ path: '/' }] });
  });

  it('Users tab: creates a partner user with a password; the API refuses a weak password and a duplicate username', async () => {
    await page.getByRole('link', { name: 'Users of acme-sftp /in' }).click();
    await waitForText(heading(), 'Source acme-sftp /in');
    expect(await page.getByRole('tab', { name: 'Users' }).getAttribute('aria-selected')).toBe('true');
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('acme');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Create user' }).click();
    await waitForText(formAlert('New user'), 'password must have at least 12 characters');
    expect(await form.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Username').getAttribute('aria-invalid')).toBeNull();
    await shot(page, 'user-weak-password');

    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create user' }).click();
    await waitForText(status(), 'User acme created.');
    const row = userRow('acme');
    await waitForText(row, 'Enabled');
    await waitForText(row, 'Password');

    await form.getByLabel('Username').fill('acme');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByRole('button', { name: 'Create user' }).click();
    await waitForText(formAlert('New user'), 'the username "acme" already exists');
    expect(await form.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'user-duplicate');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('Users tab: creates a partner user with an SSH public key only, who logs in with it', async () => {
    const key = generateKey('ed25519');
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('acme-keys');
    await form.getByLabel('Password').fill('');
    await form.getByLabel('SSH public keys').fill(key.publicKey);
    await form.getByRole('button', { name: 'Create user' }).click();
    await waitForText(status(), 'User acme-keys created.');
    const fingerprint = execFileSync('ssh-keygen', ['-lf', `${key.privateKeyFile}.pub`]).toString().split(' ')[1]!;
    await waitForText(userRow('acme-keys'), '1 SSH key');
    await waitForText(userRow('acme-keys'), fingerprint);
    expect(await userRow('acme-keys').textContent()).not.toContain('Password');
    await shot(page, 'user-with-key');
    const r = await sftpBatch(runtime.sftpPort, { user: 'acme-keys', key }, ['pwd']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('Triggers tab (reached with the arrow keys): sets the temp file patterns', async () => {
    await page.getByRole('tab', { name: 'Users' }).focus();
    await page.keyboard.press('ArrowRight');
    const triggers = page.getByRole('tab', { name: 'Triggers' });
    await page.getByRole('form', { name: 'Triggers' }).waitFor();
    expect(await triggers.getAttribute('aria-selected')).toBe('true');
    expect(await isFocused(triggers)).toBe(true);
    expect(page.url()).toMatch(/\/triggers$/);

    const form = page.getByRole('form', { name: 'Triggers' });
    expect(await form.getByLabel('Temp file patterns').inputValue()).toBe('*.filepart\n*.tmp');
    await form.getByLabel('Temp file patterns').fill('*.part');
    await form.getByRole('button', { name: 'Save triggers' }).click();
    await waitForText(status(), 'Triggers saved.');
    await shot(page, 'triggers');
    expect(await accessibilityViolations(page)).toEqual([]);
    const orgId = (await runtime.directory.organizations.list({ limit: 10 })).items[0]!.id;
    const [flow] = (await runtime.directory.flows.listByOrg(orgId, { limit: 10 })).items;
    expect(flow!.sources[0]!.triggers).toEqual({ tempFilePatterns: ['*.part'] });
  });

  it('the partner uploads with sftp under a temp name and renames it: Activity shows the transfer and its completed delivery', async () => {
    const local = join(work, 'report.csv');
    writeFileSync(local, 'id,amount\n1,100\n');
    // "*.part" is the pattern set in the console (not a default): the rename completes the upload.
    // notes.txt matches no pattern: it waits for a trigger.
    const r = await sftpBatch(runtime.sftpPort, { user: 'acme', password: PASSWORD }, [`put ${local} report.csv.part`, 'rename report.csv.part report.csv', `put ${local} notes.txt`]);
    expect(r.code, r.stderr).toBe(0);

    await nav().getByRole('link', { name: 'Activity' }).click();
    await waitForText(heading(), 'Activity');
    expect(await page.getByLabel('Flow', { exact: true }).locator('option:checked').textContent()).toBe('acme-in');
    const report = page.getByRole('row', { name: /report\.csv/ });
    await refreshUntil(report, 'completed');
    await waitForText(report, 'delivered: completed');
    await waitForText(report, 'active');
    await waitForText(report, 'acme');
    const notes = page.getByRole('row', { name: /notes\.txt/ });
    await refreshUntil(notes, 'awaiting trigger');
    await shot(page, 'activity');
    expect(readFileSync(join(work, 'delivered', 'report.csv'), 'utf8')).toBe('id,amount\n1,100\n');
  });

  it('Activity retries a dead delivery', async () => {
    // A second flow whose target folder cannot be created (a file is in the way), set up
    // over the API: what is tested here is the console's retry.
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/v1/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as { id: string; sources: { id: string }[] };
    };
    const orgId = (await runtime.directory.organizations.list({ limit: 10 })).items[0]!.id;
    const sftpId = (await runtime.directory.endpoints.listByOrg(orgId, { limit: 10 })).items.find((e) => e.name === 'acme-sftp')!.id;
    writeFileSync(join(work, 'blocked'), 'a file, not a folder');
    const broken = await api('POST', `organizations/${orgId}/endpoints`, { name: 'broken', type: 'directory', config: { path: join(work, 'blocked', 'out') } });
    const flow = await api('POST', `organizations/${orgId}/flows`, { name: 'acme-retry', sources: [{ endpointId: sftpId, path: '/retry' }], targets: [{ endpointId: broken.id }] });
    await api('POST', `flow-endpoints/${flow.sources[0]!.id}/users`, { username: 'acme-retry', password: PASSWORD });
    const local = join(work, 'again.csv');
    writeFileSync(local, 'again\n');
    const r = await sftpBatch(runtime.sftpPort, { user: 'acme-retry', password: PASSWORD }, [`put ${local} again.csv.filepart`, 'rename again.csv.filepart again.csv']);
    expect(r.code, r.stderr).toBe(0);

    // The flow was made behind the console's back: load the page again to list it.
    await page.reload();
    await page.getByLabel('Flow', { exact: true }).selectOption({ label: 'acme-retry' });
    const row = page.getByRole('row', { name: /again\.csv/ });
    await refreshUntil(row, 'dead');
    await shot(page, 'activity-dead');
    expect(await accessibilityViolations(page)).toEqual([]);
    rmSync(join(work, 'blocked'));
    await row.getByRole('button', { name: 'Retry /retry/again.csv' }).click();
    await waitForText(status(), 'Dead deliveries of /retry/again.csv queued again.');
    await refreshUntil(row, 'completed');
    expect(await row.getByRole('button', { name: /Retry/ }).count()).toBe(0);
    await shot(page, 'activity-retried');
    expect(readFileSync(join(work, 'blocked', 'out', 'again.csv'), 'utf8')).toBe('again\n');
  });

  it('Users tab: a disabled user is refused at the next login; a deleted user is gone', async () => {
    await nav().getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('link', { name: 'acme-in' }).click();
    await page.getByRole('link', { name: 'Users of acme-sftp /in' }).click();
    const row = userRow('acme');
    await row.getByRole('button', { name: 'Disable acme' }).click();
    await waitForText(status(), 'User acme disabled.');
    await waitForText(row, 'Disabled');
    await shot(page, 'user-disabled');
    const refused = await sftpBatch(runtime.sftpPort, { user: 'acme', password: PASSWORD }, ['ls']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Permission denied/i);

    await row.getByRole('button', { name: 'Enable acme' }).click();
    await waitForText(row, 'Enabled');
    const back = await sftpBatch(runtime.sftpPort, { user: 'acme', password: PASSWORD }, ['ls']);
    expect(back.code, back.stderr).toBe(0);

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete acme' }).click();
    await waitForText(status(), 'User acme deleted.');
    await row.waitFor({ state: 'detached' });
    await userRow('acme-keys').waitFor();
    expect(await runtime.directory.users.getByUsername('acme')).toBeUndefined();
  });

  it('keyboard: the skip link comes first, focus is visible, and a page change moves the focus to its heading', async () => {
    // A fresh load: the focus starts at the top of the document.
    await page.goto(orgUrl);
    await page.reload();
    await waitForText(heading(), 'Endpoints');
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate<{ text: string; outline: string; tag: string }>(
        '({ text: document.activeElement.textContent.trim(), outline: getComputedStyle(document.activeElement).outlineStyle, tag: document.activeElement.tagName })',
      );
    expect(await focused()).toEqual({ text: 'Skip to content', outline: 'solid', tag: 'A' });
    // Tab through the header to "Flows" and follow it with Enter.
    for (let i = 0; i < 10 && (await focused()).text !== 'Flows'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ text: 'Flows', outline: 'solid', tag: 'A' });
    await page.keyboard.press('Enter');
    await waitForText(page.locator('h1:focus'), 'Flows');
  });

  it('on a phone-sized screen the main navigation stays on screen and usable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    try {
      const p = await phone.newPage();
      const phoneProblems = pageProblems(p);
      // A new browser context: a new session, so sign in again.
      await p.goto(`${base}/console/`);
      await p.getByLabel('Admin token').fill(TOKEN);
      await p.getByRole('button', { name: 'Sign in' }).tap();
      await p.getByRole('link', { name: 'Acme Bank' }).tap();
      await waitForText(heading(p), 'Endpoints');
      await shot(p, 'phone-endpoints');
      for (const name of ['Organizations', 'Endpoints', 'Flows', 'Activity']) {
        const box = await nav(p).getByRole('link', { name }).boundingBox();
        expect(box, name).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
        expect(box!.height).toBeGreaterThanOrEqual(44);
      }
      const noSideScroll = () => p.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
      expect(await noSideScroll()).toBe(true);
      await nav(p).getByRole('link', { name: 'Activity' }).tap();
      await waitForText(heading(p), 'Activity');
      await p.getByLabel('Flow', { exact: true }).selectOption({ label: 'acme-in' });
      await p.getByRole('row', { name: /report\.csv/ }).waitFor();
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'phone-activity');
      expect(await accessibilityViolations(p)).toEqual([]);
      await nav(p).getByRole('link', { name: 'Flows' }).tap();
      await waitForText(heading(p), 'Flows');
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'phone-flows');
      expect(await accessibilityViolations(p)).toEqual([]);
      expect(phoneProblems).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('a token the server refuses later sends the page back to sign-in, which returns to the same page', async () => {
    const where = page.url();
    await page.evaluate("sessionStorage.setItem('thru-sftp.admin-token', 'a-rotated-token-0123456789')");
    await page.reload();
    await waitForText(page.getByRole('alert').filter({ hasText: 'refused' }), 'The server refused the admin token. Sign in again.');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(heading(), 'Flows');
    expect(page.url()).toBe(where);
  });

  it('the page reported no script error and no blocked resource', () => {
    expect(problems).toEqual([]);
  });
});

describe('the console route', () => {
  it('serves the page with a content security policy, hashed assets for a year, and no token needed', async () => {
    const res = await fetch(`${base}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}/console/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The page signs in with the admin token here (SigV4 on AWS: console-sigv4.test.ts).
    expect(await (await fetch(`${base}/console/config.json`)).json()).toEqual({ auth: 'token' });
  });

  it('serves nothing outside the build (the sources sit next to it), and the API still wants its token', async () => {
    // Raw paths: fetch() would resolve the dot segments before sending.
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port: runtime.adminPort, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(existsSync(new URL('../../src/console/app/main.tsx', import.meta.url))).toBe(true);
    expect(await status('/console/../app/main.tsx')).toBe(404);
    expect(await status('/console/..%2fapp%2fmain.tsx')).toBe(404);
    expect(await status('/console/%2e%2e/app/main.tsx')).toBe(404);
    expect(await status('/console/nothing.js')).toBe(404);
    expect(await status('/console/index.html')).toBe(200);
    expect(await status('/v1/organizations')).toBe(401);
  });

  it('the accessibility check is not vacuous: it finds an unlabelled field', async () => {
    const p = await browser.newPage();
    try {
      await p.setContent('<html lang="en"><title>control</title><main><h1>control</h1><input type="text"></main></html>');
      expect(await accessibilityViolations(p)).toEqual([expect.stringMatching(/^label \(critical\)/)]);
    } finally {
      await p.close();
    }
  });

  it('says how to build the console when it is not built', async () => {
    const app = new OpenAPIHono<AdminEnv>();
    consoleRoutes(app, consoleFiles(mkdtempSync(join(tmpdir(), 'thru-console-empty-'))));
    const res = await app.request('/console/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:console');
    expect((await app.request('/')).headers.get('location')).toBe('/console/');
  });
});
