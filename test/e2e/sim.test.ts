// The OpenSSH end-to-end scenarios against the AWS runtime as `npm run sim` runs it:
// files in S3 (s3rver), tenancy in DynamoDB (dynalite), logins through the identity
// Lambda handler, completions through S3 events and the post-upload Lambda handler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startSim, type SimRuntime } from '../../src/runtime/sim.js';
import { createTenancy, type Tenancy } from '../../src/core/tenancy/index.js';
import { systemClock } from '../../src/core/ports/clock.js';
import type { Transfer } from '../../src/core/model.js';
import { generateKey, scp, sftpBatch, type ClientKey } from '../support/openssh.js';
import { connectSftp } from '../support/ssh2-client.js';
import { S3_MAX_WRITE_LENGTH } from '../../src/runtime/aws-front-end.js';
import { MAX_READ_LENGTH } from '../../src/sftp/extensions.js';

let sim: SimRuntime;
let tenancy: Tenancy;
let key: ClientKey;
let work: string;
let orgId: string;
let n = 0;
const logs: Record<string, unknown>[] = [];

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thru-sim-'));
  const config: Config = { sftpPort: 0, adminPort: 0, dataDir: join(work, 'data'), bind: '127.0.0.1', logLevel: 'info', demo: false, adminToken: 'sim-admin-token-0123456789' };
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  sim = await startSim(config, createLogger('info', sink), { persist: false, pipeline: { retryBaseSeconds: 0.2, retryMaxSeconds: 1, maxAttempts: 3 } });
  tenancy = createTenancy({ directory: sim.directory, clock: systemClock, sftp: { publicUrl: 'sftp://x:22', hostKeyFingerprints: [] }, retryTransfer: (id) => sim.pipeline.retry(id) });
  orgId = (await tenancy.organizations.create({ name: 'sim' })).id;
  key = generateKey();
});
afterAll(async () => {
  await sim?.stop();
});

/** A source endpoint and flow with the given targets, and a partner in it. */
async function partnerWithFlow(targets: { endpointId: string; path: string }[] = []) {
  const ep = await tenancy.endpoints.create(orgId, { name: `sftp-${n++}`, type: 'thru-sftp-server' });
  const flow = await tenancy.flows.create(orgId, { name: `flow-${n++}`, sources: [{ endpointId: ep.id, path: '/' }], targets });
  const user = await tenancy.users.create(flow.sources[0]!.id, { username: `simuser${n++}`, publicKeys: [key.publicKey] });
  return { creds: { user: user.username, key }, flow, endpointId: ep.id };
}

function localFile(content: Buffer | string): string {
  const file = join(work, `f${n++}`);
  writeFileSync(file, content);
  return file;
}

async function objectBytes(key: string): Promise<Buffer> {
  const out = await sim.s3.send(new GetObjectCommand({ Bucket: sim.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the S3 front end', () => {
  it('asks clients for 64 KiB writes (they wait in memory for part slots) and offers full-size reads', async () => {
    const { creds } = await partnerWithFlow();
    const conn = await connectSftp(sim.sftpPort, { username: creds.user, privateKey: readFileSync(creds.key.privateKeyFile) });
    try {
      const sftp = conn.sftp as unknown as { _maxWriteLen: number; _maxReadLen: number };
      expect(sftp._maxWriteLen).toBe(S3_MAX_WRITE_LENGTH);
      expect(sftp._maxReadLen).toBe(MAX_READ_LENGTH);
    } finally {
      conn.end();
    }
  });
});

describe('files on S3', () => {
  for (const size of [0, 1, 64 * 1024 * 1024]) {
    it(`put then get ${size} bytes, byte-exact in the bucket`, async () => {
      const { creds, endpointId } = await partnerWithFlow();
      const data = randomBytes(size);
      const back = join(work, `back-${size}`);
      const r = await sftpBatch(sim.sftpPort, creds, [`put ${localFile(data)} f.bin`, `get f.bin ${back}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(readFileSync(back))).toBe(sha256(data));
      expect(sha256(await objectBytes(`${orgId}/${endpointId}/f.bin`))).toBe(sha256(data));
    });
  }

  it('recursive put and get, rename over a file, mkdir/rmdir, df', async () => {
    const { creds } = await partnerWithFlow();
    const tree = join(work, `tree${n++}`);
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'a.txt'), 'a');
    writeFileSync(join(tree, 'sub', 'b.txt'), 'b');
    const back = join(work, `tree-back${n++}`);
    mkdirSync(back);
    const r = await sftpBatch(sim.sftpPort, creds, [
      `put -r ${tree} up`, `get -r up ${back}`, `put ${localFile('new')} n.txt`, `put ${localFile('old')} o.txt`, 'rename n.txt o.txt', 'mkdir d', 'rmdir d', 'ls', 'df',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(back, 'up', 'sub', 'b.txt'), 'utf8')).toBe('b');
    const check = await sftpBatch(sim.sftpPort, creds, [`get o.txt ${join(work, 'o-back')}`, 'ls n.txt']);
    expect(readFileSync(join(work, 'o-back'), 'utf8')).toBe('new');
    expect(check.code).not.toBe(0); // n.txt is gone
  });

  it('reget and reput on a temp name', async () => {
    const { creds } = await partnerWithFlow();
    const data = randomBytes(3 * 1024 * 1024 + 11);
    const full = localFile(data);
    const partial = localFile(data.subarray(0, 1_000_000));
    const r1 = await sftpBatch(sim.sftpPort, creds, [`put ${partial} big.bin.filepart`, `reput ${full} big.bin.filepart`, 'rename big.bin.filepart big.bin']);
    expect(r1.code, r1.stderr).toBe(0);
    const got = localFile(data.subarray(0, 123_456));
    const r2 = await sftpBatch(sim.sftpPort, creds, [`reget big.bin ${got}`]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(sha256(readFileSync(got))).toBe(sha256(data));
  });

  it('scp in SFTP mode exits 0', async () => {
    const { creds, endpointId } = await partnerWithFlow();
    const r = await scp(sim.sftpPort, creds, [localFile('scp!'), `${creds.user}@127.0.0.1:s.txt`]);
    expect(r.code, r.stderr).toBe(0);
    expect((await objectBytes(`${orgId}/${endpointId}/s.txt`)).toString()).toBe('scp!');
  });
});

describe('post-upload operations from S3 events', () => {
  it('a temp-name rename is delivered to another SFTP endpoint, an S3 endpoint and a local folder', async () => {
    const inbox = await tenancy.endpoints.create(orgId, { name: `inbox-${n++}`, type: 'thru-sftp-server' });
    const bucketTarget = await tenancy.endpoints.create(orgId, { name: `s3-${n++}`, type: 's3', config: { bucket: sim.bucket, prefix: 'outbox' } });
    const folder = mkdtempSync(join(work, 'delivered-'));
    const dir = await tenancy.endpoints.create(orgId, { name: `dir-${n++}`, type: 'directory', config: { path: folder } });
    const { creds, flow } = await partnerWithFlow([
      { endpointId: inbox.id, path: '/in' },
      { endpointId: bucketTarget.id, path: '/' },
      { endpointId: dir.id, path: '/' },
    ]);
    const data = randomBytes(2_000_000);
    const r = await sftpBatch(sim.sftpPort, creds, [`put ${localFile(data)} report+1.csv.filepart`, 'rename report+1.csv.filepart report+1.csv']);
    expect(r.code, r.stderr).toBe(0);
    const t: Transfer = await until('the transfer to finish', async () => {
      const items = (await sim.directory.transfers.listByFlow(flow.id, { limit: 10 })).items;
      return items.find((x) => x.deliveries.length > 0 && x.deliveries.every((d) => d.status === 'completed'));
    });
    expect(t).toMatchObject({ path: '/report+1.csv', size: data.length, sha256: sha256(data), user: creds.user, signal: 'temp-rename' });
    expect(sha256(await objectBytes(`${orgId}/${inbox.id}/in/report+1.csv`))).toBe(sha256(data));
    expect(sha256(await objectBytes('outbox/report+1.csv'))).toBe(sha256(data));
    expect(readdirSync(folder)).toEqual(['report+1.csv']);
  });
});

describe('the admin port', () => {
  it('serves the web console beside the admin API, as npm start does', async () => {
    const res = await fetch(`http://127.0.0.1:${sim.adminPort}/console/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>thru-sftp console</title>');
    expect((await fetch(`http://127.0.0.1:${sim.adminPort}/v1/organizations`)).status).toBe(401);
  });
});
