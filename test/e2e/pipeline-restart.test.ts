// The server process killed in the middle of a delivery and started again (issue 4):
// nothing is lost and nothing is delivered twice. The server runs as `npm start` does,
// in its own process; the test provisions it through the same SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { newId } from '../../src/core/ids.js';
import { PERMISSIONS, type Transfer } from '../../src/core/model.js';
import { parsePublicKey } from '../../src/core/public-keys.js';
import { generateKey, sftpBatch, type ClientKey } from '../support/openssh.js';

let dataDir: string;
let out: string;
let key: ClientKey;
let hook: Server;
let hookUrl: string;
const posts: { deliveryId: string; respond: (res: number) => void }[] = [];

interface Running {
  child: ChildProcess;
  sftpPort: number;
  exited: Promise<void>;
}

function startServer(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, THRU_DATA_DIR: dataDir, THRU_SFTP_PORT: '0', THRU_ADMIN_PORT: '0', THRU_DEMO: 'false', THRU_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((ok) => child.on('exit', () => ok()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const m = /"sftpPort":(\d+)/.exec(buffered);
      if (m) resolve({ child, sftpPort: Number(m[1]), exited });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Read the directory from the test process (SQLite in WAL mode allows it). */
function readTransfers(flowId: string): Transfer[] {
  const db = openDatabase(join(dataDir, 'thru.db'));
  try {
    return (db.prepare('SELECT data FROM transfers WHERE flow_id = ?').all(flowId) as { data: string }[]).map((r) => JSON.parse(r.data) as Transfer);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'thru-restart-'));
  out = mkdtempSync(join(tmpdir(), 'thru-restart-out-'));
  key = generateKey();
  hook = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => posts.push({ deliveryId: String(req.headers['x-thru-delivery-id']), respond: (code) => res.writeHead(code).end() }));
  });
  await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', () => ok()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
});
afterAll(() => {
  hook?.closeAllConnections();
  hook?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a restart in the middle of a delivery', () => {
  it('finishes every delivery exactly once', async () => {
    let server = await startServer();
    // Provision a flow: SFTP source -> a local folder and a webhook.
    const directory = new SqliteDirectory(openDatabase(join(dataDir, 'thru.db')));
    const at = new Date().toISOString();
    const orgId = newId('org');
    const [src, folder, webhook] = [newId('ep'), newId('ep'), newId('ep')];
    await directory.organizations.create({ id: orgId, name: 'o', createdAt: at, updatedAt: at });
    await directory.endpoints.create({ id: src, orgId, name: 's', type: 'thru-sftp-server', description: '', config: { idleTimeoutSeconds: 900 }, createdAt: at, updatedAt: at });
    await directory.endpoints.create({ id: folder, orgId, name: 'f', type: 'directory', description: '', config: { path: out }, createdAt: at, updatedAt: at });
    await directory.endpoints.create({ id: webhook, orgId, name: 'w', type: 'webhook', description: '', config: { url: hookUrl, secret: 'x' }, createdAt: at, updatedAt: at });
    const flowId = newId('flow');
    const sourceFe = newId('fe');
    await directory.flows.create({
      id: flowId, orgId, name: 'f', enabled: true, createdAt: at, updatedAt: at,
      sources: [{ id: sourceFe, flowId, orgId, endpointId: src, role: 'source', path: '/', triggers: { tempFilePatterns: ['*.filepart'] } }],
      targets: [
        { id: newId('fe'), flowId, orgId, endpointId: folder, role: 'target', path: '/' },
        { id: newId('fe'), flowId, orgId, endpointId: webhook, role: 'target', path: '/' },
      ],
    });
    const k = parsePublicKey(key.publicKey);
    await directory.users.create({
      id: newId('usr'), username: 'restart', orgId, flowEndpointId: sourceFe, publicKeys: [{ fingerprint: k.fingerprint, type: k.type, blob: k.blob.toString('base64'), comment: '', addedAt: at }],
      homeDirectory: '/', permissions: [...PERMISSIONS], allowedCidrs: [], enabled: true, createdAt: at, updatedAt: at,
    });
    await directory.close();

    const local = join(out, '..', `payload-${Date.now()}`);
    writeFileSync(local, 'payload');
    const r = await sftpBatch(server.sftpPort, { user: 'restart', key }, [`put ${local} p.csv.filepart`, 'rename p.csv.filepart p.csv']);
    expect(r.code, r.stderr).toBe(0);

    // The webhook holds the first POST; meanwhile the folder delivery completes.
    await until('the first webhook call', () => posts[0]);
    await until('the folder delivery', () => readTransfers(flowId)[0]?.deliveries.find((d) => d.targetEndpointId === folder && d.status === 'completed'));
    server.child.kill('SIGKILL');
    await server.exited;
    expect(readTransfers(flowId)[0]?.deliveries.find((d) => d.targetEndpointId === webhook)?.status).toBe('started');

    server = await startServer();
    await until('the webhook to be called again', () => posts[1]);
    posts[1]!.respond(204);
    const done = await until('both deliveries completed', () => {
      const t = readTransfers(flowId)[0];
      return t?.deliveries.every((d) => d.status === 'completed') ? t : undefined;
    });
    server.child.kill('SIGTERM');
    await server.exited;

    expect(readTransfers(flowId)).toHaveLength(1);
    const byTarget = Object.fromEntries(done.deliveries.map((d) => [d.targetEndpointId, d]));
    expect(byTarget[folder]).toMatchObject({ status: 'completed', attempts: 1 });
    expect(byTarget[webhook]).toMatchObject({ status: 'completed', attempts: 2 });
    // The file once, no temp leftovers; the webhook saw one delivery id (receivers dedupe on it).
    expect(readdirSync(out)).toEqual(['p.csv']);
    expect(readFileSync(join(out, 'p.csv'), 'utf8')).toBe('payload');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.deliveryId).toBe(posts[1]!.deliveryId);
  });
});
