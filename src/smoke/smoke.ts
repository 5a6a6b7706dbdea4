// `thru-sftp smoke`: after a deploy, proves the stage works end to end without touching
// any tenant. It creates a throw-away organization (an SFTP endpoint, a flow delivering
// to a second SFTP endpoint, a user with a random password), then:
// - Fargate front end: logs in over SFTP (checking the host key fingerprint), uploads
//   under a temp name, renames, and waits for the transfer's delivery to complete with
//   the same SHA-256;
// - Transfer Family front end: asks Transfer Family's TestIdentityProvider to log the
//   user in (and to refuse a wrong password) through our identity Lambda.
// The organization is deleted at the end, whatever happened (files stay in storage, as
// for any cascade delete).
import { createHash, randomBytes } from 'node:crypto';
import { TestIdentityProviderCommand, type TransferClient } from '@aws-sdk/client-transfer';
import { Client, type SFTPWrapper } from 'ssh2';
import type { AdminApi } from '../migrate/transfer-family.js';
import type { Deployment } from './deployment.js';

export interface SmokeOptions {
  deployment: Deployment;
  api: AdminApi;
  /** Transfer Family front end only. */
  transfer?: TransferClient;
  /** One line per step. */
  log: (line: string) => void;
  /** How long to wait for the transfer to complete (default 120 s). */
  timeoutMs?: number;
}

export interface SmokeResult {
  ok: boolean;
  /** The final verdict, one line. */
  verdict: string;
}

interface Flow { id: string; sources: { id: string }[] }
interface Transfer { path: string; sha256: string; deliveries: { status: string; lastError?: string }[] }

class StepFailed extends Error {}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((ok, fail) => fn((err, value) => (err ? fail(err) : ok(value as T))));
}

function connect(d: Deployment, username: string, password: string): Promise<{ client: Client; sftp: SFTPWrapper }> {
  return new Promise((ok, fail) => {
    const client = new Client();
    let seen: string | undefined;
    client
      .on('ready', () => client.sftp((err, sftp) => (err ? fail(err) : ok({ client, sftp }))))
      .on('error', (err) => fail(seen && d.hostKeyFingerprint && seen !== d.hostKeyFingerprint ? new Error(`host key ${seen} is not the deployed ${d.hostKeyFingerprint}`) : err))
      .connect({
        host: d.sftpHost,
        port: d.sftpPort,
        username,
        password,
        readyTimeout: 20_000,
        hostVerifier: (key: Buffer) => {
          seen = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
          return !d.hostKeyFingerprint || seen === d.hostKeyFingerprint;
        },
      });
  });
}

async function sftpRoundTrip(o: SmokeOptions, flowId: string, username: string, password: string): Promise<void> {
  const d = o.deployment;
  const name = `smoke-${randomBytes(4).toString('hex')}.txt`;
  const data = Buffer.concat([Buffer.from(`thru-sftp smoke test ${new Date().toISOString()}\n`), randomBytes(64 * 1024)]);
  let session: { client: Client; sftp: SFTPWrapper };
  try {
    session = await connect(d, username, password);
  } catch (err) {
    throw new StepFailed(`SFTP login to ${d.sftpHost}:${d.sftpPort} failed: ${(err as Error).message}`);
  }
  o.log(`✓ logged in over SFTP to ${d.sftpHost}:${d.sftpPort}${d.hostKeyFingerprint ? ` (host key ${d.hostKeyFingerprint})` : ''}`);
  try {
    await sftpCall<void>((cb) => session.sftp.writeFile(`/${name}.filepart`, data, cb));
    o.log(`✓ uploaded ${data.length} bytes as ${name}.filepart`);
    await sftpCall<void>((cb) => session.sftp.rename(`/${name}.filepart`, `/${name}`, cb));
    o.log(`✓ renamed it to ${name}`);
  } catch (err) {
    throw new StepFailed(`SFTP upload failed: ${(err as Error).message}`);
  } finally {
    session.client.end();
  }

  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let last = 'no transfer recorded yet';
  for (;;) {
    const transfer = (await o.api.all<Transfer>(`flows/${flowId}/transfers`)).find((t) => t.path.endsWith(`/${name}`));
    if (transfer) {
      if (transfer.sha256 !== sha256(data)) throw new StepFailed(`the transfer recorded SHA-256 ${transfer.sha256}, the upload was ${sha256(data)}`);
      const statuses = transfer.deliveries.map((x) => x.status);
      if (statuses.length > 0 && statuses.every((s) => s === 'completed')) break;
      const failed = transfer.deliveries.find((x) => x.status === 'dead');
      if (failed) throw new StepFailed(`the delivery failed: ${failed.lastError ?? 'dead'}`);
      last = `deliveries ${statuses.join(', ') || 'none yet'}`;
    }
    if (Date.now() > deadline) throw new StepFailed(`the transfer did not complete within ${Math.round((o.timeoutMs ?? 120_000) / 1000)} s (${last})`);
    await sleep(1000);
  }
  o.log('✓ the transfer completed: delivered, SHA-256 matches');
}

async function identityProviderCheck(o: SmokeOptions, username: string, password: string): Promise<void> {
  const d = o.deployment;
  if (!o.transfer || !d.transferServerId) throw new StepFailed('no Transfer Family server in the deployment outputs');
  const ask = async (pw: string) => {
    const res = await o.transfer!.send(new TestIdentityProviderCommand({ ServerId: d.transferServerId, UserName: username, UserPassword: pw, ServerProtocol: 'SFTP', SourceIp: '192.0.2.10' }));
    if (res.StatusCode !== 200) throw new StepFailed(`TestIdentityProvider answered ${res.StatusCode}: ${res.Message ?? ''}`);
    try {
      return { body: JSON.parse(res.Response ?? '{}') as Record<string, unknown> };
    } catch {
      throw new StepFailed(`TestIdentityProvider returned a response that is not JSON: ${res.Response?.slice(0, 200)}`);
    }
  };
  const good = await ask(password);
  if (!good.body.Role) throw new StepFailed(`the identity Lambda refused the temporary user (${JSON.stringify(good.body).slice(0, 200)}); is THRU_TRANSFER_ROLE_ARN set?`);
  if (d.transferSessionRoleArn && good.body.Role !== d.transferSessionRoleArn) throw new StepFailed(`the identity Lambda answered Role ${JSON.stringify(good.body.Role)}, not the session role ${d.transferSessionRoleArn}`);
  if (good.body.HomeDirectoryType !== 'LOGICAL' || typeof good.body.HomeDirectoryDetails !== 'string') throw new StepFailed('the identity Lambda\'s answer has no LOGICAL home');
  const home = (JSON.parse(good.body.HomeDirectoryDetails) as { Entry: string; Target: string }[])[0];
  if (d.bucketName && !home?.Target.startsWith(`/${d.bucketName}/`)) throw new StepFailed(`the home ${home?.Target} is not in the files bucket ${d.bucketName}`);
  o.log(`✓ Transfer Family logged the temporary user in through the identity Lambda (home ${home?.Target})`);
  const bad = await ask(`${password}-wrong`);
  if (bad.body.Role) throw new StepFailed('Transfer Family accepted a wrong password');
  o.log('✓ and refused a wrong password');
}

export async function runSmoke(o: SmokeOptions): Promise<SmokeResult> {
  const tag = randomBytes(4).toString('hex');
  let orgId: string | undefined;
  let step = 'creating the temporary organization';
  try {
    o.log(`smoke test of the ${o.deployment.frontEnd} front end at ${o.deployment.sftpHost}`);
    orgId = (await o.api.request<{ id: string }>('POST', 'organizations', { name: `thru-smoke-${tag}` })).id;
    const source = await o.api.request<{ id: string }>('POST', `organizations/${orgId}/endpoints`, { name: 'smoke-in', type: 'thru-sftp-server' });
    const target = await o.api.request<{ id: string }>('POST', `organizations/${orgId}/endpoints`, { name: 'smoke-out', type: 'thru-sftp-server' });
    const flow = await o.api.request<Flow>('POST', `organizations/${orgId}/flows`, {
      name: 'smoke', sources: [{ endpointId: source.id, path: '/', triggers: { tempFilePatterns: ['*.filepart'] } }], targets: [{ endpointId: target.id, path: '/' }],
    });
    o.log(`✓ admin API: created organization thru-smoke-${tag} (${orgId}) with a flow between two SFTP endpoints`);
    step = 'creating the temporary user';
    const username = `thru-smoke-${tag}`;
    const password = randomBytes(18).toString('base64url');
    await o.api.request('POST', `flow-endpoints/${flow.sources[0]!.id}/users`, { username, password });
    o.log(`✓ created the temporary user ${username}`);
    step = o.deployment.frontEnd === 'transfer-family' ? 'Transfer Family login' : 'SFTP round trip';
    if (o.deployment.frontEnd === 'transfer-family') await identityProviderCheck(o, username, password);
    else await sftpRoundTrip(o, flow.id, username, password);
  } catch (err) {
    const reason = err instanceof StepFailed ? err.message : `${(err as Error).message}`;
    return { ok: false, verdict: `SMOKE FAILED (${step}): ${reason}` };
  } finally {
    if (orgId) {
      try {
        await o.api.request('DELETE', `organizations/${orgId}?cascade=true`);
        o.log(`✓ removed the temporary organization and user`);
      } catch (err) {
        o.log(`✗ could not remove the temporary organization ${orgId}: ${(err as Error).message}; delete it with \`thru-sftp orgs delete ${orgId} --cascade\``);
      }
    }
  }
  return { ok: true, verdict: `SMOKE PASSED: the ${o.deployment.frontEnd} front end logs partners in${o.deployment.frontEnd === 'fargate' ? ', stores uploads and delivers them' : ' through the identity Lambda'}` };
}
