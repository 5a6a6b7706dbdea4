// The same router as an API Gateway HTTP API (payload 2.0) Lambda handler, fed the
// events API Gateway sends: routes, errors and the IAM principal in the audit log; and
// the web console it serves on the unauthenticated GET /console routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { consoleFiles } from '../../src/admin/console.js';
import { createAdminHandler } from '../../src/admin/lambda.js';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { createLogger } from '../../src/log.js';

const logs: Record<string, unknown>[] = [];
let directory: SqliteDirectory;
let handler: ReturnType<typeof createAdminHandler>;
let consoleDir: string;
const ARN = 'arn:aws:iam::123456789012:user/ops-alice';

beforeAll(() => {
  // A console build as the CDK bundling lays it out next to the Lambda's code.
  consoleDir = mkdtempSync(join(tmpdir(), 'thru-lambda-console-'));
  mkdirSync(join(consoleDir, 'assets'));
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>thru-sftp console</title><script type="module" src="./assets/index-abc123.js"></script>');
  writeFileSync(join(consoleDir, 'assets', 'index-abc123.js'), 'console.log("console");');
  writeFileSync(join(consoleDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  directory = new SqliteDirectory(openDatabase(':memory:'));
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  handler = createAdminHandler({
    directory,
    logger: createLogger('info', sink),
    sftp: { publicUrl: 'sftp://sftp.example.com:22', hostKeyFingerprints: ['SHA256:abc'] },
    retryTransfer: () => Promise.reject(new Error('retry is not exercised here')),
    console: consoleFiles(consoleDir),
    consoleSignIn: { auth: 'sigv4', region: 'eu-west-1' },
  });
});
afterAll(async () => {
  await directory?.close();
  if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
});

type EventV2 = Extract<Parameters<typeof handler>[0], { version: string; rawPath: string }>;

function event(method: string, path: string, body?: unknown, userArn: string | null = ARN, routeKey = '$default'): EventV2 {
  return {
    version: '2.0', routeKey, rawPath: path, rawQueryString: '',
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    requestContext: {
      accountId: '123456789012', apiId: 'abc', domainName: 'abc.execute-api.eu-west-1.amazonaws.com', domainPrefix: 'abc', requestId: 'r1', routeKey, stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000', timeEpoch: 1893456000000,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      authentication: null,
      authorizer: userArn ? { iam: { accessKey: 'AKIA', accountId: '123456789012', callerId: 'AIDA', cognitoIdentity: null, principalOrgId: null, userArn, userId: 'AIDA' } } : {},
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const invoke = (e: EventV2) => handler(e);

describe('admin API Lambda handler', () => {
  it('creates and reads through API Gateway events; the audit log names the IAM principal', async () => {
    const created = await invoke(event('POST', '/v1/organizations', { name: 'Initech' }));
    expect(created.statusCode).toBe(201);
    const org = JSON.parse(created.body) as { id: string; name: string };
    expect(org.name).toBe('Initech');
    const ep = await invoke(event('POST', `/v1/organizations/${org.id}/endpoints`, { name: 'sftp', type: 'thru-sftp-server' }));
    expect(JSON.parse(ep.body)).toMatchObject({ publicUrl: 'sftp://sftp.example.com:22', hostKeyFingerprints: ['SHA256:abc'] });
    const got = await invoke(event('GET', `/v1/organizations/${org.id}`));
    expect(got.statusCode).toBe(200);
    const audit = logs.map((l) => l.audit as Record<string, unknown> | undefined).find((a) => a?.action === 'organization.create');
    expect(audit).toMatchObject({ actor: ARN, id: org.id });
  });

  it('refuses an API call that API Gateway did not authorize with IAM, whatever its path became', async () => {
    // The console's routes have no authorizer; a dot segment turns the console's path into the API's.
    for (const [path, routeKey] of [['/v1/organizations', '$default'], ['/console/%2e%2e/v1/organizations', 'GET /console/{proxy+}'], ['/console/../v1/organizations', 'GET /console/{proxy+}']] as const) {
      const res = await invoke(event('GET', path, undefined, null, routeKey));
      expect(res.statusCode, path).toBe(403);
      expect(JSON.parse(res.body), path).toMatchObject({ error: { code: 'permission_denied' } });
    }
    const created = await invoke(event('POST', '/v1/organizations', { name: 'Anonymous' }, null));
    expect(created.statusCode).toBe(403);
    expect(logs.some((l) => (l.audit as Record<string, unknown> | undefined)?.action === 'organization.create' && (l.audit as Record<string, unknown>).actor !== ARN)).toBe(false);
  });

  it('answers errors in the same shape', async () => {
    const bad = await invoke(event('POST', '/v1/organizations', { name: 'x', extra: true }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'unknown_field' } });
    const missing = await invoke(event('GET', '/v1/organizations/org-0000000000000000'));
    expect(missing.statusCode).toBe(404);
  });
});

describe('the web console from the admin Lambda', () => {
  // What API Gateway sends on the console's routes (authorization NONE: no IAM principal).
  const page = (path: string) => invoke(event('GET', path, undefined, null, path === '/console' ? 'GET /console' : 'GET /console/{proxy+}'));

  it('serves the page, no-cache, with the strict content security policy', async () => {
    const res = await page('/console/');
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<title>thru-sftp console</title>');
    expect(res.headers?.['cache-control']).toBe('no-cache');
    const csp = String(res.headers?.['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers?.['x-frame-options']).toBe('DENY');
  });

  it('serves the hashed assets for a year and the other files fresh', async () => {
    const script = await page('/console/assets/index-abc123.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers?.['content-type']).toMatch(/javascript/);
    expect(script.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.isBase64Encoded ? Buffer.from(script.body, 'base64').toString('utf8') : script.body).toBe('console.log("console");');
    const icon = await page('/console/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers?.['cache-control']).toBe('no-cache');
    expect((await page('/console/nothing.js')).statusCode).toBe(404);
  });

  it('tells the page to sign its API calls with SigV4 for the API\'s region', async () => {
    const res = await page('/console/config.json');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ auth: 'sigv4', region: 'eu-west-1' });
    expect(res.headers?.['cache-control']).toBe('no-cache');
  });

  it('redirects /console to /console/ (relative asset URLs need the slash)', async () => {
    const res = await page('/console');
    expect(res.statusCode).toBe(302);
    expect(res.headers?.location).toBe('/console/');
  });
});
