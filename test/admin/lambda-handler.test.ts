// The same router as an API Gateway HTTP API (payload 2.0) Lambda handler, fed the
// events API Gateway sends: routes, errors and the IAM principal in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createAdminHandler } from '../../src/admin/lambda.js';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { createLogger } from '../../src/log.js';

const logs: Record<string, unknown>[] = [];
let directory: SqliteDirectory;
let handler: ReturnType<typeof createAdminHandler>;
const ARN = 'arn:aws:iam::123456789012:user/ops-alice';

beforeAll(() => {
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
  });
});
afterAll(async () => {
  await directory?.close();
});

type EventV2 = Extract<Parameters<typeof handler>[0], { version: string; rawPath: string }>;

function event(method: string, path: string, body?: unknown, userArn: string | null = ARN): EventV2 {
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '',
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    requestContext: {
      accountId: '123456789012', apiId: 'abc', domainName: 'abc.execute-api.eu-west-1.amazonaws.com', domainPrefix: 'abc', requestId: 'r1', routeKey: '$default', stage: '$default',
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

  it('records an unidentified caller as such', async () => {
    const created = await invoke(event('POST', '/v1/organizations', { name: 'Anonymous' }, null));
    expect(created.statusCode).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    const audit = logs.map((l) => l.audit as Record<string, unknown> | undefined).find((a) => a?.id === id);
    expect(audit).toMatchObject({ actor: 'iam:unknown', action: 'organization.create' });
  });

  it('answers errors in the same shape', async () => {
    const bad = await invoke(event('POST', '/v1/organizations', { name: 'x', extra: true }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'unknown_field' } });
    const missing = await invoke(event('GET', '/v1/organizations/org-0000000000000000'));
    expect(missing.statusCode).toBe(404);
  });
});
