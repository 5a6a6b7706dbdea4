// The identity function against the DynamoDB directory (dynalite): every field of its
// contract, answered as AWS Transfer Family expects, and the front end's Lambda-invoking
// provider turning those answers (and failures) into login decisions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDirectory } from '../../src/adapters/aws/dynamo-directory.js';
import { LambdaIdentity, invokeLambda } from '../../src/adapters/aws/lambda-identity.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createTenancy } from '../../src/core/tenancy/index.js';
import { IdentityResponse } from '../../src/identity/contract.js';
import { createIdentityHandler } from '../../src/identity/handler.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';
import { createLogger } from '../../src/log.js';
import { loadAwsConfig } from '../../src/runtime/aws-config.js';
import { identityFunction, type AwsClients } from '../../src/runtime/aws.js';
import { generateKey } from '../support/openssh.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let db: Dynalite;
let handler: (event: unknown) => Promise<unknown>;
let rootKey: string;
const key = generateKey('ed25519');
const password = 'identity-password-1';

beforeAll(async () => {
  db = await startDynalite();
  const directory = new DynamoDirectory({ client: db.client, tableName: db.tableName });
  const tenancy = createTenancy({
    directory, clock: systemClock, sftp: { publicUrl: 'sftp://sftp.example.com:22', hostKeyFingerprints: [] },
    retryTransfer: () => Promise.reject(new Error('unused')),
  });
  const org = await tenancy.organizations.create({ name: 'acme' });
  const ep = await tenancy.endpoints.create(org.id, { name: 'sftp', type: 'thru-sftp-server', config: { idleTimeoutSeconds: 600 } });
  const target = await tenancy.endpoints.create(org.id, { name: 'out', type: 'webhook', config: { url: 'https://example.com/h', secret: 'x'.repeat(16) } });
  const flow = await tenancy.flows.create(org.id, {
    name: 'f', sources: [{ endpointId: ep.id, path: '/in', triggers: { tempFilePatterns: ['*.part'] } }], targets: [{ endpointId: target.id, path: '/' }],
  });
  const fe = flow.sources[0]!;
  await tenancy.users.create(fe.id, { username: 'alice', password, publicKeys: [key.publicKey], permissions: ['list', 'download', 'upload'], homeDirectory: '/alice' });
  await tenancy.users.create(fe.id, { username: 'office-only', password, allowedCidrs: ['10.0.0.0/8'] });
  const disabled = await tenancy.users.create(fe.id, { username: 'gone', password });
  await tenancy.users.update(disabled.id, { enabled: false });
  rootKey = `${org.id}/${ep.id}/in/alice`;
  handler = createIdentityHandler({
    identity: new DirectoryIdentity(directory, systemClock),
    bucket: 'files-bucket',
    roleArn: 'arn:aws:iam::123456789012:role/transfer-access',
    log: silent,
  });
});
afterAll(async () => {
  await db?.stop();
});

const tfEvent = (over: Record<string, unknown>) => ({ username: 'alice', password: '', protocol: 'SFTP', serverId: 's-1234567890abcdef0', sourceIp: '203.0.113.7', ...over });

describe('as a Transfer Family custom identity provider', () => {
  it('a password login gets Role, a LOGICAL home, a session policy and no PublicKeys', async () => {
    const res = (await handler(tfEvent({ password }))) as Record<string, unknown>;
    expect(res.Role).toBe('arn:aws:iam::123456789012:role/transfer-access');
    expect(res.HomeDirectoryType).toBe('LOGICAL');
    expect(typeof res.HomeDirectoryDetails).toBe('string');
    expect(JSON.parse(res.HomeDirectoryDetails as string)).toEqual([{ Entry: '/', Target: `/files-bucket/${rootKey}` }]);
    expect(res).not.toHaveProperty('PublicKeys');
    const policy = JSON.parse(res.Policy as string) as { Statement: { Action: string | string[]; Resource: string; Condition?: unknown }[] };
    expect(policy.Statement[0]).toMatchObject({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::files-bucket', Condition: { StringLike: { 's3:prefix': [`${rootKey}/*`, rootKey] } } });
    expect(policy.Statement[1]).toMatchObject({ Resource: `arn:aws:s3:::files-bucket/${rootKey}/*` });
    expect(policy.Statement[1]!.Action).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject']));
    expect(policy.Statement[1]!.Action).not.toContain('s3:DeleteObject');
  });

  it('an empty password is a key login: the answer lists the PublicKeys', async () => {
    const res = (await handler(tfEvent({}))) as Record<string, unknown>;
    expect(res.PublicKeys).toEqual([key.publicKey.split(' ').slice(0, 2).join(' ')]);
    expect(IdentityResponse.parse(res).ThruPrincipal.publicKeys).toHaveLength(1);
  });

  it('refusals are {} to Transfer Family: wrong password, unknown user, disabled, outside allowed CIDRs, other protocols, malformed events', async () => {
    expect(await handler(tfEvent({ password: 'wrong' }))).toEqual({});
    expect(await handler(tfEvent({ username: 'nobody', password }))).toEqual({});
    expect(await handler(tfEvent({ username: 'gone', password }))).toEqual({});
    expect(await handler(tfEvent({ username: 'office-only', password }))).toEqual({});
    expect(await handler(tfEvent({ username: 'office-only', password, sourceIp: '10.1.2.3' }))).not.toEqual({});
    expect(await handler(tfEvent({ protocol: 'FTP', password }))).toEqual({});
    expect(await handler({ username: 'alice' })).toEqual({});
    expect(await handler('garbage')).toEqual({});
  });
});

describe('as the Lambda the CDK deploys for Transfer Family', () => {
  it('answers with the session role the stack passes as THRU_TRANSFER_ROLE_ARN, and without it none', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/thru-sftp-prod-stateless-TransferSessionRole';
    const clients = { dynamo: db.client } as unknown as AwsClients;
    const logger = createLogger('silent');
    const env = { THRU_TABLE: db.tableName, THRU_BUCKET: 'files-bucket', AWS_REGION: 'us-east-1' };
    const deployed = identityFunction({ config: loadAwsConfig({ ...env, THRU_TRANSFER_ROLE_ARN: roleArn }), clients, logger });
    expect(await deployed(tfEvent({ password }))).toMatchObject({ Role: roleArn, HomeDirectoryType: 'LOGICAL' });
    const fargate = identityFunction({ config: loadAwsConfig(env), clients, logger });
    expect(await fargate(tfEvent({ password }))).not.toHaveProperty('Role');
  });
});

describe('for our own front end', () => {
  it('carries the session the front end needs', async () => {
    const res = IdentityResponse.parse(await handler(tfEvent({ password, thruMethod: 'password' })));
    expect(res.ThruPrincipal).toMatchObject({ username: 'alice', rootKey, permissions: ['list', 'download', 'upload'], idleTimeoutSeconds: 600, tempFilePatterns: ['*.part'] });
  });

  it('an empty password sent as a password is refused, not taken for a key login', async () => {
    expect(await handler(tfEvent({ password: '', thruMethod: 'password' }))).toEqual({ ThruRefusal: 'bad_password' });
  });

  it('says why it refused, which Transfer Family is never told', async () => {
    expect(await handler(tfEvent({ password: 'wrong', thruMethod: 'password' }))).toEqual({ ThruRefusal: 'bad_password' });
    expect(await handler(tfEvent({ username: 'nobody', password, thruMethod: 'password' }))).toEqual({ ThruRefusal: 'unknown_user' });
    expect(await handler(tfEvent({ username: 'office-only', password, thruMethod: 'password' }))).toEqual({ ThruRefusal: 'source_ip_not_allowed' });
    expect(await handler(tfEvent({ username: 'nobody', password: '', thruMethod: 'publickey' }))).toEqual({ ThruRefusal: 'unknown_user' });
  });
});

describe('LambdaIdentity (the Invoke API, against a local Lambda endpoint)', () => {
  let lambda: Server;
  let client: LambdaClient;
  let behaviour: 'handler' | 'bare' | 'function-error' | 'garbage' | 'hang' = 'handler';
  const errors: string[] = [];

  beforeAll(async () => {
    // Speaks the Lambda Invoke wire protocol: POST /2015-03-31/functions/<name>/invocations.
    lambda = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (behaviour === 'hang') return;
        if (behaviour === 'function-error') return res.writeHead(200, { 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"boom"}');
        if (behaviour === 'bare') return res.writeHead(200).end('{}');
        if (behaviour === 'garbage') return res.writeHead(200).end('{"HomeDirectoryType":"LOGICAL"}');
        void handler(JSON.parse(body)).then((out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out)));
      });
    });
    await new Promise<void>((ok) => lambda.listen(0, '127.0.0.1', () => ok()));
    client = new LambdaClient({
      endpoint: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`, region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    });
  });
  afterAll(() => {
    lambda?.closeAllConnections();
    lambda?.close();
  });

  const provider = () =>
    new LambdaIdentity({ invoke: invokeLambda(client, 'identity'), timeoutMs: 500, serverId: 'fargate', log: { ...silent, error: (f: object) => errors.push(JSON.stringify(f)) } });

  it('turns answers into decisions', async () => {
    behaviour = 'handler';
    const ok = await provider().authenticate({ username: 'alice', sourceIp: '203.0.113.7', password });
    expect(ok).toMatchObject({ ok: true, principal: { rootKey }, publicKeys: [] });
    const keys = await provider().authenticate({ username: 'alice', sourceIp: '203.0.113.7' });
    expect(keys.ok && keys.publicKeys.map((k) => k.type)).toEqual(['ssh-ed25519']);
    // Our front end learns why, so brute-force scoring tells an unknown user from a wrong password.
    expect(await provider().authenticate({ username: 'alice', sourceIp: '203.0.113.7', password: 'nope' })).toEqual({ ok: false, reason: 'bad_password' });
    expect(await provider().authenticate({ username: 'nobody', sourceIp: '203.0.113.7', password })).toEqual({ ok: false, reason: 'unknown_user' });
    expect(await provider().authenticate({ username: 'nobody', sourceIp: '203.0.113.7' })).toEqual({ ok: false, reason: 'unknown_user' });
  });

  it('a function that refuses with a bare {} (a custom or older one) still refuses', async () => {
    behaviour = 'bare';
    expect(await provider().authenticate({ username: 'nobody', sourceIp: '203.0.113.7', password })).toEqual({ ok: false, reason: 'refused' });
  });

  it('refuses, logs and keeps going on a function error, a malformed answer or a timeout', async () => {
    for (const b of ['function-error', 'garbage', 'hang'] as const) {
      behaviour = b;
      errors.length = 0;
      expect(await provider().authenticate({ username: 'alice', sourceIp: '203.0.113.7', password })).toEqual({ ok: false, reason: 'misconfigured' });
      expect(errors).toHaveLength(1);
    }
  });
});
