// Post-upload operations end to end (SPEC §2, issue 4): real OpenSSH uploads, each
// completion mode, deliveries to a folder, another SFTP endpoint and a real HTTP
// webhook, retries, dead deliveries and duplicates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transfer } from '../../src/core/model.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch, type ClientKey } from '../support/openssh.js';

let server: TestServer;
let key: ClientKey;
let work: string;
let n = 0;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startTestServer({
    pipeline: { retryBaseSeconds: 0.2, retryMaxSeconds: 1, maxAttempts: 3, triggerRecheckSeconds: 0.3, triggerWaitSeconds: 2 },
    webhookTimeoutMs: 1000,
  });
  key = generateKey();
  work = mkdtempSync(join(tmpdir(), 'thru-pipeline-'));
});
afterAll(async () => {
  await server?.stop();
});

async function partner(flowEndpointId: string) {
  const username = `partner${n++}`;
  await server.createUser({ username, publicKeys: [key.publicKey], flowEndpointId });
  return { user: username, key };
}

function localFile(content: Buffer | string): string {
  const file = join(work, `f${n++}`);
  writeFileSync(file, content);
  return file;
}

const transfers = async (flowId: string) => (await server.runtime.directory.transfers.listByFlow(flowId, { limit: 100 })).items;

/** Wait for the pipeline to have nothing left to do. */
const drained = () => server.until('the pipeline to drain', () => server.runtime.queue.pending() === 0 || undefined);

const finished = (flowId: string, path: string) =>
  server.until(`a finished transfer of ${path}`, async () =>
    (await transfers(flowId)).find((t) => t.path === path && t.state === 'active' && t.deliveries.every((d) => d.status === 'completed' || d.status === 'dead')),
  );

describe('temp-name renames', () => {
  it('a.csv.filepart renamed to a.csv is delivered byte-exact with a completed transfer', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    const data = randomBytes(1_500_000);
    const r = await sftpBatch(server.port, creds, [`put ${localFile(data)} a.csv.filepart`, 'rename a.csv.filepart a.csv']);
    expect(r.code, r.stderr).toBe(0);
    const t = await finished(flow.flowId, '/a.csv');
    expect(t).toMatchObject({ size: data.length, sha256: sha256(data), user: creds.user, sourceIp: '127.0.0.1', signal: 'temp-rename' });
    expect(t.deliveries).toEqual([expect.objectContaining({ status: 'completed', attempts: 1, location: join(out, 'a.csv') })]);
    expect(sha256(readFileSync(join(out, 'a.csv')))).toBe(sha256(data));
    // The source stays unless the flow says otherwise.
    expect(existsSync(server.fileOnDisk('a.csv', flow.sourceEndpointId))).toBe(true);
  });

  it('a rename over an existing file (posix-rename) completes it again', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    const r = await sftpBatch(server.port, creds, [
      `put ${localFile('v1')} r.txt.tmp`, 'rename r.txt.tmp r.txt',
      `put ${localFile('v2')} r.txt.tmp`, 'rename r.txt.tmp r.txt',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await server.until('two transfers', async () => ((await transfers(flow.flowId)).filter((t) => t.deliveries[0]?.status === 'completed').length === 2 ? true : undefined));
    expect(readFileSync(join(out, 'r.txt'), 'utf8')).toBe('v2');
  });

  it('a plain upload triggers nothing and is shown as awaiting a trigger', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    const r = await sftpBatch(server.port, creds, [`put ${localFile('plain')} plain.csv`]);
    expect(r.code, r.stderr).toBe(0);
    await drained();
    const [t, ...more] = await transfers(flow.flowId);
    expect(more).toEqual([]);
    expect(t).toMatchObject({ path: '/plain.csv', state: 'awaiting-trigger', deliveries: [] });
    expect(existsSync(join(out, 'plain.csv'))).toBe(false);
    // Removing the file removes the record.
    await sftpBatch(server.port, creds, ['rm plain.csv']);
    await server.until('the awaiting record to go', async () => ((await transfers(flow.flowId)).length === 0 ? true : undefined));
  });
});

describe('trigger files', () => {
  it('per-file: c.csv then c.csv.trg delivers c.csv and removes the trigger', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ triggers: { tempFilePatterns: [], triggerFile: { mode: 'per-file', suffix: '.trg' } }, targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    const r = await sftpBatch(server.port, creds, [`put ${localFile('cccc')} c.csv`, `put ${localFile('')} c.csv.trg`]);
    expect(r.code, r.stderr).toBe(0);
    const t = await finished(flow.flowId, '/c.csv');
    expect(t).toMatchObject({ signal: 'per-file-trigger', size: 4 });
    expect(readFileSync(join(out, 'c.csv'), 'utf8')).toBe('cccc');
    await server.until('the trigger to be deleted', () => !existsSync(server.fileOnDisk('c.csv.trg', flow.sourceEndpointId)) || undefined);
    expect(existsSync(server.fileOnDisk('c.csv', flow.sourceEndpointId))).toBe(true);
    expect((await transfers(flow.flowId)).filter((x) => x.state === 'awaiting-trigger')).toEqual([]);
  });

  it('per-file: a trigger that arrives first waits for its data file', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ triggers: { tempFilePatterns: [], triggerFile: { mode: 'per-file', suffix: '.trg' } }, targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('')} d.csv.trg`]);
    await server.until('a waiting transfer', async () => (await transfers(flow.flowId)).find((t) => t.state === 'waiting-for-data'));
    await sftpBatch(server.port, creds, [`put ${localFile('late data')} d.csv`]);
    await finished(flow.flowId, '/d.csv');
    expect(readFileSync(join(out, 'd.csv'), 'utf8')).toBe('late data');
  });

  it('per-file: a trigger whose data never comes ends failed, saying why', async () => {
    const flow = await server.createFlow({ triggers: { tempFilePatterns: [], triggerFile: { mode: 'per-file', suffix: '.trg' } }, targets: [{ type: 'directory', path: work }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('')} never.csv.trg`]);
    const t = await server.until('a failed transfer', async () => (await transfers(flow.flowId)).find((x) => x.state === 'failed'));
    expect(t.error).toMatch(/data file \/never\.csv did not arrive within 2 s/);
    expect(existsSync(server.fileOnDisk('never.csv.trg', flow.sourceEndpointId))).toBe(true);
  });

  it('batch: done.ok completes every data file in its folder, then is deleted', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ triggers: { tempFilePatterns: ['*.tmp'], triggerFile: { mode: 'batch', name: 'done.ok' } }, targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    const r = await sftpBatch(server.port, creds, [
      'mkdir b', `put ${localFile('one')} b/1.csv`, `put ${localFile('two')} b/2.csv`, `put ${localFile('partial')} b/3.csv.tmp`, `put ${localFile('')} b/done.ok`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    await finished(flow.flowId, '/b/1.csv');
    await finished(flow.flowId, '/b/2.csv');
    expect(readFileSync(join(out, 'b', '1.csv'), 'utf8')).toBe('one');
    expect(readFileSync(join(out, 'b', '2.csv'), 'utf8')).toBe('two');
    expect(existsSync(join(out, 'b', '3.csv.tmp'))).toBe(false);
    await server.until('the semaphore to be deleted', () => !existsSync(server.fileOnDisk('b/done.ok', flow.sourceEndpointId)) || undefined);
  });
});

describe('targets', () => {
  it('another SFTP endpoint: its partner downloads the delivered file', async () => {
    const flow = await server.createFlow({ targets: [{ type: 'thru-sftp-server', folder: '/inbound' }] });
    const sender = await partner(flow.sourceFlowEndpointId);
    // The receiving partner logs in to the target flow endpoint: its folder is their "/".
    const receiver = await partner(flow.targetFlowEndpointIds[0]!);
    const data = randomBytes(70_000);
    await sftpBatch(server.port, sender, [`put ${localFile(data)} x.bin.filepart`, 'rename x.bin.filepart x.bin']);
    await finished(flow.flowId, '/x.bin');
    const back = join(work, 'received.bin');
    const r = await sftpBatch(server.port, receiver, [`get x.bin ${back}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
    expect(existsSync(server.fileOnDisk('inbound/x.bin', flow.targetEndpointIds[0]))).toBe(true);
  });

  it('delete-source removes the upload once every delivery succeeded', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ deleteSourceAfterDelivery: true, targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('bye')} z.csv.filepart`, 'rename z.csv.filepart z.csv']);
    await finished(flow.flowId, '/z.csv');
    await server.until('the source to be deleted', () => !existsSync(server.fileOnDisk('z.csv', flow.sourceEndpointId)) || undefined);
    expect(readFileSync(join(out, 'z.csv'), 'utf8')).toBe('bye');
  });

  it('a deleted target endpoint ends the delivery dead, with the reason', async () => {
    const flow = await server.createFlow({ targets: [{ type: 'directory', path: work }] });
    await server.runtime.directory.endpoints.delete(flow.targetEndpointIds[0]!);
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('x')} gone.csv.filepart`, 'rename gone.csv.filepart gone.csv']);
    const t = await finished(flow.flowId, '/gone.csv');
    expect(t.deliveries[0]).toMatchObject({ status: 'dead', attempts: 1 });
    expect(t.deliveries[0]?.lastError).toMatch(/target endpoint was deleted/);
  });
});

describe('webhooks', () => {
  type Behaviour = 'ok' | 'fail' | 'hang';
  let hook: Server;
  let url: string;
  const script: Behaviour[] = [];
  const received: { body: string; headers: IncomingMessage['headers'] }[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, headers: req.headers });
        const b = script.shift() ?? 'ok';
        if (b === 'hang') return; // never answers: the client times out
        res.statusCode = b === 'ok' ? 204 : 500;
        res.end();
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', () => ok()));
    url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => {
    hook?.closeAllConnections();
    hook?.close();
  });

  it('500s are retried with backoff until the receiver takes it; the POST is signed', async () => {
    received.length = 0;
    script.push('fail', 'fail', 'ok');
    const flow = await server.createFlow({ targets: [{ type: 'webhook', url, secret: 'hook-secret-1' }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('hooked')} h.csv.filepart`, 'rename h.csv.filepart h.csv']);
    const t = await finished(flow.flowId, '/h.csv');
    expect(t.deliveries[0]).toMatchObject({ status: 'completed', attempts: 3 });
    expect(received).toHaveLength(3);
    const last = received[2]!;
    const body = JSON.parse(last.body) as Record<string, unknown>;
    expect(body).toMatchObject({ transferId: t.id, flowId: flow.flowId, path: '/h.csv', size: 6, sha256: sha256('hooked') });
    const expected = `sha256=${createHmac('sha256', 'hook-secret-1').update(`${String(last.headers['x-thru-timestamp'])}.${last.body}`).digest('hex')}`;
    expect(last.headers['x-thru-signature']).toBe(expected);
    expect(new Set(received.map((r) => r.headers['x-thru-delivery-id'])).size).toBe(1);
  });

  it('a receiver that keeps failing ends dead; a retry through the pipeline delivers it', async () => {
    received.length = 0;
    script.push('fail', 'hang', 'fail');
    const flow = await server.createFlow({ targets: [{ type: 'webhook', url, secret: 's' }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('dead')} d.csv.filepart`, 'rename d.csv.filepart d.csv']);
    let t: Transfer = await server.until('a dead delivery', async () => (await transfers(flow.flowId)).find((x) => x.deliveries[0]?.status === 'dead'));
    expect(t.deliveries[0]).toMatchObject({ attempts: 3, lastError: 'the webhook answered HTTP 500' });
    expect(server.logs.some((l) => l.deliveryId === t.deliveries[0]?.id && l.err === 'the webhook did not answer within 1000 ms')).toBe(true);
    expect(received).toHaveLength(3);
    t = await server.runtime.pipeline.retry(t.id);
    expect(t.deliveries[0]?.status).toBe('queued');
    t = await finished(flow.flowId, '/d.csv');
    expect(t.deliveries[0]).toMatchObject({ status: 'completed', attempts: 1 });
    await expect(server.runtime.pipeline.retry(t.id)).rejects.toThrow(/no dead delivery/);
  }, 60_000);
});

describe('exactly once', () => {
  it('a duplicated storage event delivers once', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const flow = await server.createFlow({ targets: [{ type: 'directory', path: out }] });
    const creds = await partner(flow.sourceFlowEndpointId);
    await sftpBatch(server.port, creds, [`put ${localFile('once')} o.csv.filepart`, 'rename o.csv.filepart o.csv']);
    const t = await finished(flow.flowId, '/o.csv');
    // Replay the very event that completed it, twice.
    const key = `${server.orgId}/${flow.sourceEndpointId}/o.csv`;
    const event = { name: 'ObjectCreated:Copy' as const, key, size: 4, version: 'replayed', at: t.receivedAt, renamedFrom: `${key}.filepart` };
    await server.runtime.queue.enqueue({ kind: 'storage-event', event });
    await server.runtime.queue.enqueue({ kind: 'storage-event', event });
    await drained();
    const all = (await transfers(flow.flowId)).filter((x) => x.state === 'active');
    expect(all.map((x) => x.deliveries.map((d) => d.status))).toEqual([['completed'], ['completed']]);
    // Two distinct completions (the original and the replayed version), never three.
    expect(new Set(all.map((x) => x.id)).size).toBe(2);
    for (const x of all) expect(x.deliveries[0]?.attempts).toBe(1);
  });
});
