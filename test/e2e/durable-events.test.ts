// An acknowledged upload's storage event is on disk (src/adapters/local/wal-sync.ts),
// through the real runtime and the OpenSSH client: `put` does not finish while the
// queue's WAL sync is held back, though the file is already in place. A power loss
// cannot be staged; the fdatasync calls are the real ones, held back as a slow disk
// would.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { holdSyncs, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

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
    syncs.holdIf = (what) => what.endsWith('-wal');
    const release = holdSyncs();
    const child = spawnSftp(server.port, { user: 'held', key }, [`put ${local} held.bin`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    await vi.waitFor(() => expect(existsSync(server.fileOnDisk('held.bin'))).toBe(true), { timeout: 15_000 });
    await vi.waitFor(() => expect(syncs.done.some((p) => p.endsWith('-wal'))).toBe(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false); // the file is in place, its CLOSE not answered
    release();
    expect(await exited).toBe(0);
  });

});
