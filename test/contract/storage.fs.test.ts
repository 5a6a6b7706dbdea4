// The storage contract against the filesystem adapter.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStorage } from '../../src/adapters/local/fs-storage.js';
import type { StorageEvent } from '../../src/core/ports/storage.js';
import { describeStorageContract } from './storage.js';

describeStorageContract(
  'filesystem',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'thru-fs-contract-'));
    const events: StorageEvent[] = [];
    const storage = await new FsStorage({
      root,
      onEvent: (e) => {
        events.push(e);
      },
    }).init();
    return {
      storage,
      events,
      async cleanup() {
        await storage.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
  { largeSize: 3 * 1024 * 1024 },
);
