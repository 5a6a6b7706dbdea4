// The web console as it runs on AWS, where API Gateway's IAM authorization guards the
// admin API: the page learns from the server that it must sign in with AWS credentials
// and signs every API call itself (SigV4). No API Gateway here: a stand-in verifies the
// signatures with the SDK's signer (test/support/sigv4-gateway.ts) in front of the real
// admin app, which also serves the built console as the admin Lambda does. One Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import type { Browser, Page, Request } from 'playwright-core';
import { createAdminApp } from '../../src/admin/app.js';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { AdminClient } from '../../src/cli/client.js';
import { createLogger } from '../../src/log.js';
import { serveAdmin, type AdminServer } from '../../src/runtime/admin-server.js';
import { checkoutConsole } from '../../src/runtime/console-assets.js';
import { sigV4Auth } from '../../src/smoke/sigv4.js';
import { accessibilityViolations, launchChromium, pageProblems, screenshots } from '../support/browser.js';
import { MISMATCH, SigV4Gateway } from '../support/sigv4-gateway.js';

const REGION = 'eu-west-1';
// An IAM user's long-term key, and temporary credentials (aws sts get-session-token).
const USER = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', arn: 'arn:aws:iam::123456789012:user/ops-alice' };
const SESSION = {
  accessKeyId: 'ASIAQNZGKIQY56JQ7WML',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY+x',
  sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJGMEQCIFakeSessionToken0123456789abcdef==',
  arn: 'arn:aws:sts::123456789012:assumed-role/ops/bob',
};

const logs: Record<string, unknown>[] = [];
let directory: SqliteDirectory;
let gateway: SigV4Gateway;
let server: AdminServer;
let base: string;
let browser: Browser;
let page: Page;
let problems: string[];
const requests: Request[] = [];
const shot = screenshots('console-sigv4');

beforeAll(async () => {
  directory = new SqliteDirectory(openDatabase(':memory:'));
  gateway = new SigV4Gateway(REGION, [USER, SESSION]);
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = createAdminApp({
    directory,
    logger: createLogger('info', sink),
    sftp: { publicUrl: 'sftp://sftp.example.com:22', hostKeyFingerprints: [] },
    retryTransfer: () => Promise.reject(new Error('retry is not exercised here')),
    auth: gateway.auth,
    console: checkoutConsole(),
    consoleSignIn: { auth: 'sigv4', region: REGION },
  });
  server = await serveAdmin(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  problems = pageProblems(page);
  page.on('request', (r) => requests.push(r));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await directory?.close();
});

const heading = () => page.getByRole('heading', { level: 1 });
const signInAlert = () => page.getByRole('form', { name: 'Sign in' }).getByRole('alert');
const since = (n: number) => gateway.verdicts.slice(n);

async function signIn(key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<void> {
  await page.getByLabel('Access key ID').fill(key.accessKeyId);
  await page.getByLabel('Secret access key').fill(key.secretAccessKey);
  await page.getByLabel('Session token').fill(key.sessionToken ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the stand-in for API Gateway is not vacuous', () => {
  it('accepts a call signed by the SDK signer and refuses a changed body or query, another secret, no signature', async () => {
    const signed = new AdminClient(base, sigV4Auth({ region: REGION, credentials: USER }));
    expect(await signed.request('GET', '/v1/organizations?limit=1')).toEqual({ items: [] });
    const auth = sigV4Auth({ region: REGION, credentials: USER });
    const url = new URL('/v1/organizations', base);
    const headers = await auth({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{"name":"Signed"}' });
    const post = (to: URL, body: string) => fetch(to, { method: 'POST', headers, body });
    const refused = async (res: Response) => ({ status: res.status, message: ((await res.json()) as { message: string }).message });
    expect(await refused(await post(url, '{"name":"Changed"}'))).toEqual({ status: 403, message: MISMATCH });
    expect(await refused(await post(new URL('/v1/organizations?cascade=true', base), '{"name":"Signed"}'))).toEqual({ status: 403, message: MISMATCH });
    const wrong = new AdminClient(base, sigV4Auth({ region: REGION, credentials: { ...USER, secretAccessKey: 'not-the-secret' } }));
    await expect(wrong.request('GET', '/v1/organizations')).rejects.toThrow(/403/);
    expect(await refused(await fetch(new URL('/v1/organizations', base)))).toEqual({ status: 403, message: 'Missing Authentication Token' });
    expect((await post(url, '{"name":"Signed"}')).status).toBe(201);
    await directory.organizations.delete((await directory.organizations.list({ limit: 1 })).items[0]!.id);
  });
});

describe('the web console signing its API calls with SigV4', () => {
  it('asks the server how to sign in: AWS credentials for the API\'s region, no admin token', async () => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('Access key ID').waitFor();
    expect(await page.getByLabel('Admin token').count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Sign in' }).textContent()).toContain(`SigV4, ${REGION}`);
    expect(await page.getByLabel('Secret access key').getAttribute('type')).toBe('password');
    await shot(page, 'sign-in');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('a wrong secret is refused by the gateway, and the page says so', async () => {
    const before = gateway.verdicts.length;
    await signIn({ accessKeyId: USER.accessKeyId, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY' });
    await signInAlert().filter({ hasText: 'AWS refused the credentials: The request signature we calculated does not match' }).waitFor();
    expect(since(before)).toEqual([{ method: 'GET', path: '/v1/organizations', accessKeyId: USER.accessKeyId, refused: MISMATCH }]);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await shot(page, 'wrong-secret');
  });

  it('an unknown access key is refused too', async () => {
    await signIn({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: USER.secretAccessKey });
    await signInAlert().filter({ hasText: 'AWS refused the credentials: The security token included in the request is invalid.' }).waitFor();
  });

  it('signs in with temporary credentials; every API call is signed and accepted, and the audit log names the principal', async () => {
    const before = gateway.verdicts.length;
    const firstRequest = requests.length;
    await signIn(SESSION);
    await heading().filter({ hasText: 'Organizations' }).waitFor();
    await page.getByLabel('Name').fill('Signed Corp');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('status').filter({ hasText: 'Organization Signed Corp created.' }).waitFor();
    await page.getByRole('link', { name: 'Signed Corp' }).click();
    await heading().filter({ hasText: 'Endpoints' }).waitFor();
    await shot(page, 'signed-in');

    const verdicts = since(before);
    expect(verdicts.map((v) => `${v.method} ${v.path}`)).toContain('POST /v1/organizations');
    expect(verdicts.filter((v) => v.refused !== null || v.accessKeyId !== SESSION.accessKeyId)).toEqual([]);
    const org = (await directory.organizations.list({ limit: 10 })).items.find((o) => o.name === 'Signed Corp');
    const audit = logs.map((l) => l.audit as Record<string, unknown> | undefined).find((a) => a?.action === 'organization.create' && a.id === org?.id);
    expect(audit).toMatchObject({ actor: SESSION.arn });

    // What left the browser: signatures and the session token, never the secret.
    const api = requests.slice(firstRequest).filter((r) => new URL(r.url()).pathname.startsWith('/v1/'));
    expect(api.length).toBe(verdicts.length);
    for (const r of requests) {
      const sent = JSON.stringify({ url: r.url(), headers: await r.allHeaders(), body: r.postData() });
      expect(sent).not.toContain(SESSION.secretAccessKey);
      expect(sent).not.toContain(USER.secretAccessKey);
    }
    for (const r of api) {
      const headers = await r.allHeaders();
      expect(headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${SESSION.accessKeyId}/\\d{8}/${REGION}/execute-api/aws4_request, SignedHeaders=`));
      expect(headers['x-amz-security-token']).toBe(SESSION.sessionToken);
    }
    // Kept in this tab only.
    const stored = await page.evaluate<{ session: string[]; local: number; cookies: string }>('({ session: Object.values(sessionStorage), local: localStorage.length, cookies: document.cookie })');
    expect(stored.local).toBe(0);
    expect(stored.cookies).toBe('');
    const { arn: _arn, ...credentials } = SESSION;
    expect(stored.session.map((s) => JSON.parse(s) as unknown)).toEqual([{ ...credentials, region: REGION }]);
  });

  it('credentials that stop working (an expired session) send the page back to sign-in with the gateway\'s reason', async () => {
    gateway.revoke(SESSION.accessKeyId);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'AWS refused the credentials: The security token included in the request is invalid.' }).waitFor();
    await page.getByLabel('Access key ID').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await signIn(USER);
    await heading().filter({ hasText: 'Endpoints' }).waitFor();
  });

  it('a computer clock an hour behind: API Gateway refuses the first signature, the page signs again with the server\'s time', async () => {
    // A page of its own: the fake clock is per browser context.
    const skewed = await browser.newPage();
    try {
      await skewed.clock.setSystemTime(Date.now() - 3_600_000);
      await skewed.goto(`${base}/console/`);
      const before = gateway.verdicts.length;
      await skewed.getByLabel('Access key ID').fill(USER.accessKeyId);
      await skewed.getByLabel('Secret access key').fill(USER.secretAccessKey);
      await skewed.getByRole('button', { name: 'Sign in' }).click();
      await skewed.getByRole('heading', { level: 1 }).filter({ hasText: 'Organizations' }).waitFor();
      const [first, second] = since(before);
      expect(first?.refused).toMatch(/^Signature expired: /);
      expect(second).toMatchObject({ path: '/v1/organizations', accessKeyId: USER.accessKeyId, refused: null });
      expect(since(before).filter((v) => v.refused !== null)).toHaveLength(1);
    } finally {
      await skewed.close();
    }
  });

  it('the page reported no script error and no blocked resource', () => {
    expect(problems).toEqual([]);
  });
});
