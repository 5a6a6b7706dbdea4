// A real local runtime for tests: its own data directory, ephemeral ports, and
// helpers that provision users straight into the directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startLocal, type LocalOptions, type LocalRuntime } from '../../src/runtime/local.js';
import { newId } from '../../src/core/ids.js';
import { hashPassword } from '../../src/core/passwords.js';
import { parsePublicKey } from '../../src/core/public-keys.js';
import { DEFAULT_TEMP_FILE_PATTERNS, PERMISSIONS, type Permission, type Triggers, type User } from '../../src/core/model.js';

export interface TestServer {
  runtime: LocalRuntime;
  dataDir: string;
  port: number;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  orgId: string;
  endpointId: string;
  flowEndpointId: string;
  createUser(options: TestUserOptions): Promise<User>;
  /** A new SFTP endpoint with a flow from it to the given targets. */
  createFlow(options?: TestFlowOptions): Promise<TestFlow>;
  /** Absolute path on disk of a path inside the test endpoint (or another endpoint). */
  fileOnDisk(path: string, endpointId?: string): string;
  /** Wait until `check` returns a value (polling the directory or disk). */
  until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export type TestTarget =
  | { type: 'directory'; path: string; folder?: string }
  | { type: 'webhook'; url: string; secret: string }
  | { type: 'thru-sftp-server'; folder?: string };

export interface TestFlowOptions {
  triggers?: Triggers;
  targets?: TestTarget[];
  deleteSourceAfterDelivery?: boolean;
  sourceFolder?: string;
}

export interface TestFlow {
  flowId: string;
  sourceEndpointId: string;
  sourceFlowEndpointId: string;
  targetEndpointIds: string[];
  targetFlowEndpointIds: string[];
}

export interface TestUserOptions {
  username: string;
  /** Defaults to the test endpoint's flow endpoint. */
  flowEndpointId?: string;
  password?: string;
  publicKeys?: string[];
  permissions?: Permission[];
  homeDirectory?: string;
  allowedCidrs?: string[];
  enabled?: boolean;
  expiresAt?: string;
}

export interface TestServerOptions extends LocalOptions {
  /** Address both servers listen on; "::" for dual stack (IPv4 clients then arrive as ::ffff:a.b.c.d). */
  bind?: string;
  idleTimeoutSeconds?: number;
  triggers?: Triggers;
  /** A data directory of the test's own (e.g. a small filesystem), left in place at stop. */
  dataDir?: string;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'thru-test-')));
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config: Config = { sftpPort: 0, adminPort: 0, dataDir, bind: options.bind ?? '127.0.0.1', logLevel: 'info', demo: false, adminToken: 'test-admin-token-0123456789' };
  // Suites log in and fail from 127.0.0.1 by the dozen: it is safe-listed, and the
  // brute-force suites attack from other loopback addresses (127.0.0.2 and up, ::1).
  const runtime = await startLocal(config, createLogger('info', sink), { ...options, bruteForce: { safeList: ['127.0.0.1/32'], ...options.bruteForce } });
  const { directory } = runtime;
  const at = new Date().toISOString();
  const orgId = newId('org');
  const endpointId = newId('ep');
  const flowId = newId('flow');
  const flowEndpointId = newId('fe');
  await directory.organizations.create({ id: orgId, name: 'test', createdAt: at, updatedAt: at });
  await directory.endpoints.create({
    id: endpointId, orgId, name: 'sftp', type: 'thru-sftp-server', description: '',
    config: { idleTimeoutSeconds: options.idleTimeoutSeconds ?? 900 }, createdAt: at, updatedAt: at,
  });
  await directory.flows.create({
    id: flowId, orgId, name: 'flow', enabled: true, createdAt: at, updatedAt: at, targets: [],
    sources: [{ id: flowEndpointId, flowId, orgId, endpointId, role: 'source', path: '/', triggers: options.triggers ?? { tempFilePatterns: DEFAULT_TEMP_FILE_PATTERNS } }],
  });

  return {
    runtime,
    dataDir,
    port: runtime.sftpPort,
    logs,
    orgId,
    endpointId,
    flowEndpointId,
    async createUser(o) {
      const user: User = {
        id: newId('usr'), username: o.username, orgId, flowEndpointId: o.flowEndpointId ?? flowEndpointId,
        passwordHash: o.password ? await hashPassword(o.password) : undefined,
        publicKeys: (o.publicKeys ?? []).map((line) => {
          const k = parsePublicKey(line);
          return { fingerprint: k.fingerprint, type: k.type, blob: k.blob.toString('base64'), comment: k.comment, addedAt: at };
        }),
        homeDirectory: o.homeDirectory ?? '/', permissions: o.permissions ?? [...PERMISSIONS], allowedCidrs: o.allowedCidrs ?? [],
        enabled: o.enabled ?? true, expiresAt: o.expiresAt, createdAt: at, updatedAt: at,
      };
      await directory.users.create(user);
      return user;
    },
    async createFlow(o = {}) {
      const sourceEndpointId = newId('ep');
      await directory.endpoints.create({
        id: sourceEndpointId, orgId, name: `src-${sourceEndpointId}`, type: 'thru-sftp-server', description: '',
        config: { idleTimeoutSeconds: 900 }, createdAt: at, updatedAt: at,
      });
      const id = newId('flow');
      const targets = [];
      for (const t of o.targets ?? []) {
        const epId = newId('ep');
        const base = { id: epId, orgId, name: `tgt-${epId}`, description: '', createdAt: at, updatedAt: at };
        if (t.type === 'directory') await directory.endpoints.create({ ...base, type: 'directory', config: { path: t.path } });
        else if (t.type === 'webhook') await directory.endpoints.create({ ...base, type: 'webhook', config: { url: t.url, secret: t.secret } });
        else await directory.endpoints.create({ ...base, type: 'thru-sftp-server', config: { idleTimeoutSeconds: 900 } });
        targets.push({ id: newId('fe'), flowId: id, orgId, endpointId: epId, role: 'target' as const, path: 'folder' in t && t.folder ? t.folder : '/' });
      }
      const source = {
        id: newId('fe'), flowId: id, orgId, endpointId: sourceEndpointId, role: 'source' as const, path: o.sourceFolder ?? '/',
        triggers: o.triggers ?? { tempFilePatterns: DEFAULT_TEMP_FILE_PATTERNS }, deleteSourceAfterDelivery: o.deleteSourceAfterDelivery,
      };
      await directory.flows.create({ id, orgId, name: `flow-${id}`, enabled: true, createdAt: at, updatedAt: at, sources: [source], targets });
      return {
        flowId: id, sourceEndpointId, sourceFlowEndpointId: source.id,
        targetEndpointIds: targets.map((t) => t.endpointId), targetFlowEndpointIds: targets.map((t) => t.id),
      };
    },
    fileOnDisk: (path, ep = endpointId) => join(dataDir, 'files', orgId, ep, path),
    async until(what, check, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await runtime.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
