// An acknowledged upload's storage event is on disk (src/adapters/local/wal-sync.ts),
// through the real runtime and the OpenSSH client: `put` does not finish while the
// queue's WAL sync is held back, though the file is already in place. A power loss
// cannot be staged; the fdatasync calls are the real ones, held back as a slow disk
// would.
import type * as nodeFs from 'node:fs';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ walSyncs: 0, paths: new Map<number, string>(), hold: undefined as Promise<void> | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  const openSync = (path: nodeFs.PathLike, flags?: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
    const fd = fs.openSync(path, flags ?? 'r', mode);
    disk.paths.set(fd, String(path));
    return fd;
  };
  const fdatasync = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
    const wal = disk.paths.get(fd)?.endsWith('-wal') ?? false;
    if (wal) disk.walSyncs++;
    const held = wal ? disk.hold : undefined;
    if (held) void held.then(() => fs.fdatasync(fd, callback));
    else fs.fdatasync(fd, callback);
  };
  return { ...fs, default: { ...fs, fdatasync, openSync }, fdatasync, openSync };
});

const { startTestServer } = await import('../support/local-server.js');
const { generateKey, spawnSftp } = await import('../support/openssh.js');

let server: Awaited<ReturnType<typeof startTestServer>>;
let key: ReturnType<typeof generateKey>;
let work: string;
beforeAll(async () => {
  server = await startTestServer();
  key = generateKey();
  work = mkdtempSync(join(tmpdir(), 'thru-durable-e2e-'));
});
afterAll(async () => {
  await server?.stop();
});

describe('storage events on disk before the answer', () => {
  it('holds the CLOSE of a put until the queue has synced its event', async () => {
    await server.createUser({ username: 'held', publicKeys: [key.publicKey] });
    const local = join(work, 'held.bin');
    writeFileSync(local, 'held until its event is on disk');
    let open!: () => void;
    disk.hold = new Promise<void>((r) => (open = r));
    const child = spawnSftp(server.port, { user: 'held', key }, [`put ${local} held.bin`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    await vi.waitFor(() => expect(existsSync(server.fileOnDisk('held.bin'))).toBe(true), { timeout: 15_000 });
    await vi.waitFor(() => expect(disk.walSyncs).toBeGreaterThan(0));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false); // the file is in place, its CLOSE not answered
    disk.hold = undefined;
    open();
    expect(await exited).toBe(0);
  });

});
