// The OpenSSH sftp client against the SSH front end with its files in S3 (s3rver): the
// S3 adapter under real SFTP traffic (pipelined 255 KiB writes and reads, resume, rename,
// a client killed mid-upload). The whole SFTP suite on `npm run sim` is the runtime's.
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3Storage } from '../../src/adapters/aws/s3-storage.js';
import { loadOrCreateHostKey } from '../../src/adapters/local/host-key.js';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { newId } from '../../src/core/ids.js';
import { DEFAULT_TEMP_FILE_PATTERNS, PERMISSIONS } from '../../src/core/model.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { parsePublicKey } from '../../src/core/public-keys.js';
import { createLogger } from '../../src/log.js';
import { SshFrontEnd } from '../../src/sftp/ssh-server.js';
import { generateKey, sftpBatch, spawnSftp, type ClientKey } from '../support/openssh.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let s3: S3rverHandle;
let client: S3Client;
let sftp: SshFrontEnd;
let directory: SqliteDirectory;
let port: number;
let key: ClientKey;
let work: string;
let root: string;
/** S3 commands the adapter sent, by name. */
const sent: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
  client = s3.newClient();
  client.middlewareStack.add((next, context) => (args) => {
    sent.push(context.commandName ?? '');
    return next(args);
  }, { step: 'initialize', name: 'recordCommands' });
  work = mkdtempSync(join(tmpdir(), 'thru-e2e-s3-'));
  directory = new SqliteDirectory(openDatabase(join(work, 'thru.db')));
  const at = new Date().toISOString();
  const [orgId, endpointId, flowId, flowEndpointId] = [newId('org'), newId('ep'), newId('flow'), newId('fe')];
  await directory.organizations.create({ id: orgId, name: 'test', createdAt: at, updatedAt: at });
  await directory.endpoints.create({ id: endpointId, orgId, name: 'sftp', type: 'thru-sftp-server', description: '', config: { idleTimeoutSeconds: 900 }, createdAt: at, updatedAt: at });
  await directory.flows.create({
    id: flowId, orgId, name: 'flow', enabled: true, createdAt: at, updatedAt: at, targets: [],
    sources: [{ id: flowEndpointId, flowId, orgId, endpointId, role: 'source', path: '/', triggers: { tempFilePatterns: DEFAULT_TEMP_FILE_PATTERNS } }],
  });
  key = generateKey('ed25519');
  const k = parsePublicKey(key.publicKey);
  await directory.users.create({
    id: newId('usr'), username: 'partner', orgId, flowEndpointId, publicKeys: [{ fingerprint: k.fingerprint, type: k.type, blob: k.blob.toString('base64'), comment: k.comment, addedAt: at }],
    homeDirectory: '/', permissions: [...PERMISSIONS], allowedCidrs: [], enabled: true, createdAt: at, updatedAt: at,
  });
  root = `${orgId}/${endpointId}`;
  const storage = new S3Storage({ client, bucket: s3.bucket, prefix: 'files', parts: { minPartSize: 5 * MiB } });
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  sftp = new SshFrontEnd({ hostKeys: [(await loadOrCreateHostKey(work)).privateKey], identity: new DirectoryIdentity(directory, systemClock), storage, logger: createLogger('info', quiet) });
  port = (await sftp.listen(0, '127.0.0.1')).port;
});

afterAll(async () => {
  await sftp?.close();
  await directory?.close();
  await s3?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const user = () => ({ user: 'partner', key });

async function object(path: string): Promise<Buffer | undefined> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `files/${root}/${path}` }));
    return Buffer.from(await r.Body!.transformToByteArray());
  } catch {
    return undefined;
  }
}

describe('OpenSSH sftp on S3 storage', () => {
  it('puts and gets 0 B, 1 B and 20 MiB byte-exact, lists, renames and removes', async () => {
    const files = { 'zero.bin': randomBytes(0), 'one.bin': randomBytes(1), 'big.bin': randomBytes(20 * MiB) };
    const commands: string[] = ['mkdir d'];
    for (const [name, data] of Object.entries(files)) {
      writeFileSync(join(work, name), data);
      commands.push(`put ${join(work, name)} d/${name}`, `get d/${name} ${join(work, `back-${name}`)}`);
    }
    commands.push('rename d/one.bin d/uno.bin', 'ls -l d', 'rm d/zero.bin', 'df');
    const r = await sftpBatch(port, user(), commands);
    expect(r.code, r.stderr).toBe(0);
    for (const [name, data] of Object.entries(files)) expect(sha256(readFileSync(join(work, `back-${name}`)))).toBe(sha256(data));
    expect(sha256((await object('d/big.bin'))!)).toBe(sha256(files['big.bin']));
    expect(r.stdout).toMatch(/big\.bin/);
    expect(await object('d/uno.bin')).toEqual(files['one.bin']);
    expect(await object('d/one.bin')).toBeUndefined();
    expect(await object('d/zero.bin')).toBeUndefined();
    expect(sent).toContain('CompleteMultipartUploadCommand');
  });

  it('reput appends to a temp-named upload, reget resumes a download', async () => {
    const data = randomBytes(7 * MiB + 3);
    const local = join(work, 'resume.bin');
    writeFileSync(local, data.subarray(0, 2 * MiB));
    const first = await sftpBatch(port, user(), [`put ${local} r.bin.filepart`]);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(local, data);
    const again = await sftpBatch(port, user(), [`reput ${local} r.bin.filepart`, 'rename r.bin.filepart r.bin']);
    expect(again.code, again.stderr).toBe(0);
    expect(sha256((await object('r.bin'))!)).toBe(sha256(data));
    const partial = join(work, 'reget.bin');
    writeFileSync(partial, data.subarray(0, 3 * MiB));
    const down = await sftpBatch(port, user(), [`reget r.bin ${partial}`]);
    expect(down.code, down.stderr).toBe(0);
    expect(sha256(readFileSync(partial))).toBe(sha256(data));
  });

  it('a client killed mid-upload leaves nothing at a normal name, the multipart upload aborted', async () => {
    const local = join(work, 'killed.bin');
    writeFileSync(local, randomBytes(64 * MiB));
    const start = sent.length;
    const since = () => sent.slice(start);
    const child = spawnSftp(port, user(), [`put ${local} killed.bin`]);
    await vi.waitFor(() => expect(since()).toContain('UploadPartCommand'), { timeout: 30_000 });
    child.kill('SIGKILL');
    await vi.waitFor(() => expect(since()).toContain('AbortMultipartUploadCommand'), { timeout: 30_000 });
    expect(since()).not.toContain('CompleteMultipartUploadCommand');
    await expect(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `files/${root}/killed.bin` }))).rejects.toThrow();
  });
});
