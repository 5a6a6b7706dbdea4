// `thru-sftp smoke` offline: the SFTP round trip against `npm run sim` (startSim in
// process; its admin API with the bearer token, since IAM has no local stand-in), the
// Transfer Family path and the stack outputs on recorded answers (aws-sdk-client-mock:
// there is no local Transfer Family or CloudFormation), and the CLI end to end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { TestIdentityProviderCommand, TransferClient } from '@aws-sdk/client-transfer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { AdminClient } from '../../src/cli/client.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createIdentityHandler } from '../../src/identity/handler.js';
import { createLogger } from '../../src/log.js';
import { startSim, type SimRuntime } from '../../src/runtime/sim.js';
import { describeDeployment, DeploymentNotFound, type Deployment } from '../../src/smoke/deployment.js';
import { regionOfApiUrl, sigV4Auth } from '../../src/smoke/sigv4.js';
import { runSmoke } from '../../src/smoke/smoke.js';
import { run } from '../support/openssh.js';

const ROLE = 'arn:aws:iam::111122223333:role/thru-sftp-dev-stateless-TransferSessionRole';
let work: string;
let sim: SimRuntime;
let api: AdminClient;
let local: Deployment;

const orgNames = async () => (await api.all<{ name: string }>('organizations')).map((o) => o.name);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thru-smoke-'));
  const config: Config = { sftpPort: 0, adminPort: 0, dataDir: join(work, 'data'), bind: '127.0.0.1', logLevel: 'silent', demo: false, adminToken: 'smoke-admin-token-0123456789' };
  sim = await startSim(config, createLogger('silent'), { persist: false });
  api = new AdminClient(`http://127.0.0.1:${sim.adminPort}/v1/`, sim.adminToken.token);
  local = { frontEnd: 'fargate', adminApiUrl: '', sftpHost: '127.0.0.1', sftpPort: sim.sftpPort, hostKeyFingerprint: sim.hostKeyFingerprint, bucketName: sim.bucket };
});
afterAll(async () => {
  await sim?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the SFTP round trip (Fargate front end), against npm run sim', () => {
  it('logs in, uploads under a temp name, renames, sees the delivery complete, and cleans up', async () => {
    const lines: string[] = [];
    const result = await runSmoke({ deployment: local, api, log: (l) => lines.push(l), timeoutMs: 30_000 });
    expect(result, lines.join('\n')).toEqual({ ok: true, verdict: 'SMOKE PASSED: the fargate front end logs partners in, stores uploads and delivers them' });
    expect(lines.join('\n')).toMatch(/logged in over SFTP to 127\.0\.0\.1:\d+ \(host key SHA256:.*\)\n.*uploaded 65\d\d\d bytes as smoke-\w+\.txt\.filepart\n.*renamed it to smoke-\w+\.txt\n.*the transfer completed/);
    expect(lines.at(-1)).toMatch(/removed the temporary organization and user/);
    expect((await orgNames()).filter((n) => n.startsWith('thru-smoke-'))).toEqual([]);
  });

  it('fails on a host key other than the deployed one, says so, and still cleans up', async () => {
    const lines: string[] = [];
    const result = await runSmoke({ deployment: { ...local, hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, api, log: (l) => lines.push(l) });
    expect(result.ok).toBe(false);
    expect(result.verdict).toBe(`SMOKE FAILED (SFTP round trip): SFTP login to 127.0.0.1:${sim.sftpPort} failed: host key ${sim.hostKeyFingerprint} is not the deployed SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect((await orgNames()).filter((n) => n.startsWith('thru-smoke-'))).toEqual([]);
  });
});

describe('the Transfer Family path (TestIdentityProvider, recorded)', () => {
  const transfer = mockClient(TransferClient);
  const deployment = (): Deployment => ({ ...local, frontEnd: 'transfer-family', sftpHost: 's-0123456789abcdef0.server.transfer.eu-west-1.amazonaws.com', sftpPort: 22, transferServerId: 's-0123456789abcdef0', transferSessionRoleArn: ROLE });
  afterAll(() => transfer.restore());
  beforeEach(() => transfer.reset());

  /** Transfer Family's TestIdentityProvider: the Lambda's answer as a JSON string. Here the Lambda is our handler on the sim's directory. */
  function transferFamilyCalling(roleArn: string | undefined) {
    const identity = createIdentityHandler({ identity: new DirectoryIdentity(sim.directory, systemClock), bucket: sim.bucket, roleArn, log: { info: () => {}, warn: () => {}, error: () => {} } });
    transfer.on(TestIdentityProviderCommand).callsFake(async (input: { UserName: string; UserPassword?: string; ServerId: string; SourceIp?: string }) => {
      const answer = await identity({ username: input.UserName, password: input.UserPassword ?? '', protocol: 'SFTP', serverId: input.ServerId, sourceIp: input.SourceIp ?? '0.0.0.0' });
      return { StatusCode: 200, Response: JSON.stringify(answer), Url: 'arn:aws:lambda:eu-west-1:111122223333:function:identity', Message: '' };
    });
  }

  it('passes when the identity Lambda logs the temporary user in with the session role and refuses a wrong password', async () => {
    transferFamilyCalling(ROLE);
    const lines: string[] = [];
    const result = await runSmoke({ deployment: deployment(), api, transfer: transfer as unknown as TransferClient, log: (l) => lines.push(l) });
    expect(result, lines.join('\n')).toEqual({ ok: true, verdict: 'SMOKE PASSED: the transfer-family front end logs partners in through the identity Lambda' });
    const calls = transfer.commandCalls(TestIdentityProviderCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ ServerId: 's-0123456789abcdef0', ServerProtocol: 'SFTP', UserName: expect.stringMatching(/^thru-smoke-/) as string });
    expect(lines.join('\n')).toMatch(new RegExp(`home /${sim.bucket}/org-\\w+/ep-\\w+\\)\\n.*refused a wrong password`));
    expect((await orgNames()).filter((n) => n.startsWith('thru-smoke-'))).toEqual([]);
  });

  it('fails when the identity Lambda has no session role to answer with', async () => {
    transferFamilyCalling(undefined);
    const result = await runSmoke({ deployment: deployment(), api, transfer: transfer as unknown as TransferClient, log: () => {} });
    expect(result.ok).toBe(false);
    expect(result.verdict).toMatch(/^SMOKE FAILED \(Transfer Family login\): the identity Lambda refused the temporary user .*THRU_TRANSFER_ROLE_ARN/);
  });

  it('fails on an error from Transfer Family', async () => {
    transfer.on(TestIdentityProviderCommand).resolves({ StatusCode: 500, Response: '', Message: 'Unable to call identity provider: AccessDeniedException', Url: '' });
    const result = await runSmoke({ deployment: deployment(), api, transfer: transfer as unknown as TransferClient, log: () => {} });
    expect(result.verdict).toBe('SMOKE FAILED (Transfer Family login): TestIdentityProvider answered 500: Unable to call identity provider: AccessDeniedException');
  });
});

describe('what the stage deployed (DescribeStacks, recorded)', () => {
  const cfn = mockClient(CloudFormationClient);
  afterAll(() => cfn.restore());
  const outputs = (o: Record<string, string>) => ({ Stacks: [{ StackName: 'x', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE' as const, Outputs: Object.entries(o).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });

  it('reads both stacks\' outputs', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'thru-sftp-prod-stateless' }).resolves(outputs({
      FrontEnd: 'transfer-family', AdminApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/', SftpHost: 'sftp.example.com',
      TransferServerId: 's-0123456789abcdef0', TransferSessionRoleArn: ROLE,
    }));
    cfn.on(DescribeStacksCommand, { StackName: 'thru-sftp-prod-stateful' }).resolves(outputs({ HostKeyFingerprint: 'SHA256:abc', BucketName: 'files-bucket' }));
    expect(await describeDeployment(new CloudFormationClient({ region: 'eu-west-1' }), 'prod')).toEqual({
      frontEnd: 'transfer-family', adminApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/', sftpHost: 'sftp.example.com', sftpPort: 22,
      hostKeyFingerprint: 'SHA256:abc', bucketName: 'files-bucket', transferServerId: 's-0123456789abcdef0', transferSessionRoleArn: ROLE,
    });
    expect(regionOfApiUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
  });

  it('says when the stage is not deployed', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'ValidationError', message: 'Stack with id thru-sftp-dev-stateless does not exist', $fault: 'client', $metadata: {} }));
    await expect(describeDeployment(new CloudFormationClient({ region: 'eu-west-1' }), 'dev')).rejects.toThrow(DeploymentNotFound);
  });
});

describe('SigV4 for the admin API', () => {
  it('signs for execute-api in the API\'s region with the given credentials', async () => {
    const auth = sigV4Auth({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' } });
    const headers = await auth({ method: 'POST', url: new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/organizations?limit=5'), headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers).not.toHaveProperty('host');
  });
});

describe('thru-sftp smoke (the CLI)', () => {
  it('runs the SFTP round trip against a server given with --sftp and exits 0', async () => {
    const r = await run(process.execPath, [resolve('bin/thru-sftp.js'), 'smoke', '--sftp', `127.0.0.1:${sim.sftpPort}`, '--host-key-fingerprint', sim.hostKeyFingerprint, '--timeout', '30'], {
      env: { THRU_ADMIN_URL: `http://127.0.0.1:${sim.adminPort}`, THRU_ADMIN_TOKEN: sim.adminToken.token },
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^smoke test of the fargate front end at 127\.0\.0\.1\n/);
    expect(r.stdout).toMatch(/\nSMOKE PASSED: the fargate front end logs partners in, stores uploads and delivers them\n$/);
  });

  it('prints the verdict and exits 1 when the stage is not deployed', async () => {
    const r = await run(process.execPath, [resolve('bin/thru-sftp.js'), 'smoke', '--stage', 'dev', '--region', 'eu-west-1'], {
      env: { AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^thru-sftp: cannot read the stacks of stage dev: .*ECONNREFUSED/m);
    expect(r.stdout).toBe('');
  });
});
