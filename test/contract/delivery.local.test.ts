// The deliverer contract against the targets the local runtime serves: a folder on this
// machine (`directory`), another thru-sftp-server endpoint's folder in our own storage
// (here the filesystem adapter), and a webhook (a real HTTP receiver on loopback).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderDeliverer } from '../../src/adapters/local/folder-deliverer.js';
import { FsStorage } from '../../src/adapters/local/fs-storage.js';
import { DELIVERY_HEADER, WebhookDeliverer } from '../../src/adapters/http/webhook-deliverer.js';
import type { Endpoint } from '../../src/core/model.js';
import { endpointKey } from '../../src/core/paths.js';
import { StorageDeliverer } from '../../src/core/pipeline/storage-deliverer.js';
import { delivererContract, type Arrival } from './delivery.js';

const at = '2026-11-26T00:00:00.000Z';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fileArrival = (path: string): Arrival | undefined => {
  if (!existsSync(path)) return undefined;
  const data = readFileSync(path);
  return { size: data.length, sha256: sha256(data), copies: 1 };
};
/** Every file below `root`, relative to it. */
const filesBelow = (root: string): string[] =>
  existsSync(root) ? readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)) : [];
/** What the contract delivers: anything else is a leftover. */
const DELIVERED = /(^|\/)(a|empty)\.csv$/;

delivererContract('directory (a local folder)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'thru-deliver-dir-'));
  // A file where the broken endpoint's folder should be: nothing can be written below it.
  writeFileSync(join(root, 'blocker'), 'not a folder');
  const endpoint = (path: string): Endpoint => ({ id: 'ep-dir', orgId: 'org-1', name: 'd', type: 'directory', description: '', config: { path }, createdAt: at, updatedAt: at });
  return {
    deliverer: new FolderDeliverer(),
    target: endpoint(join(root, 'out')),
    brokenTarget: endpoint(join(root, 'blocker', 'out')),
    arrived: async (folder, rel) => fileArrival(join(root, 'out', folder, rel)),
    leftovers: async () => filesBelow(root).filter((f) => f !== 'blocker' && !DELIVERED.test(f)),
    readsContent: true,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

delivererContract('thru-sftp-server (our own storage, on the filesystem)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'thru-deliver-sftp-'));
  const storage = await new FsStorage({ root }).init();
  const endpoint = (id: string): Endpoint => ({ id, orgId: 'org-1', name: 's', type: 'thru-sftp-server', description: '', config: { idleTimeoutSeconds: 900 }, createdAt: at, updatedAt: at });
  // The broken endpoint's folder is a file.
  mkdirSync(join(root, 'org-1'));
  writeFileSync(join(root, endpointKey('org-1', 'ep-blocked')), 'not a folder');
  return {
    deliverer: new StorageDeliverer(storage),
    target: endpoint('ep-sftp'),
    brokenTarget: endpoint('ep-blocked'),
    arrived: async (folder, rel) => fileArrival(join(root, endpointKey('org-1', 'ep-sftp', folder) + rel)),
    leftovers: async () => filesBelow(root).filter((f) => f !== endpointKey('org-1', 'ep-blocked') && !DELIVERED.test(f)),
    readsContent: true,
    async cleanup() {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

delivererContract('webhook (a receiver on loopback)', async () => {
  const posts: { deliveryId: string; body: { path: string; size: number; sha256: string } }[] = [];
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      if (req.url === '/fail') return res.writeHead(500).end();
      posts.push({ deliveryId: String(req.headers[DELIVERY_HEADER]), body: JSON.parse(text) as (typeof posts)[number]['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', () => ok()));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const endpoint = (path: string): Endpoint => ({ id: 'ep-hook', orgId: 'org-1', name: 'w', type: 'webhook', description: '', config: { url: `${url}${path}`, secret: 'contract-secret' }, createdAt: at, updatedAt: at });
  return {
    deliverer: new WebhookDeliverer({ timeoutMs: 5_000 }),
    target: endpoint('/hook'),
    brokenTarget: endpoint('/fail'),
    // A webhook describes the source file: its path is the source's, whatever the target folder.
    arrived: async (_folder, rel) => {
      const matching = posts.filter((p) => p.body.path.endsWith(rel));
      const last = matching.at(-1);
      return last && { size: last.body.size, sha256: last.body.sha256, copies: new Set(matching.map((p) => p.deliveryId)).size };
    },
    leftovers: async () => [],
    readsContent: false,
    cleanup: () =>
      new Promise<void>((ok) => {
        receiver.closeAllConnections();
        receiver.close(() => ok());
      }),
  };
});
