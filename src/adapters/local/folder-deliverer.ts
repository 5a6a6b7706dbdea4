// Delivery to a `directory` endpoint: a folder on this machine (local runtime only).
// Written under a temporary name in the same folder, fsynced, then renamed: a reader
// of the target folder never sees a partial file. The rename (and any folder made) is
// synced before the delivery counts as done, so that a crash cannot undo a delivery
// already recorded.
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { CoreError } from '../../core/errors.js';
import type { Deliverer, DeliveryRequest, DeliveryResult } from '../../core/ports/delivery.js';
import { fromFsError } from './fs-errors.js';
import { fsyncDirectory, mkdirDurably } from './fs-sync.js';
import { streamToFile } from './stream-to-file.js';

export class FolderDeliverer implements Deliverer {
  async deliver(r: DeliveryRequest): Promise<DeliveryResult> {
    if (r.target.type !== 'directory') throw new CoreError('invalid_argument', 'not a directory endpoint');
    const root = r.target.config.path;
    if (!isAbsolute(root)) throw new CoreError('invalid_argument', `the directory endpoint's path must be absolute (${root})`);
    const folder = r.targetFlowEndpoint.path === '/' ? '' : r.targetFlowEndpoint.path;
    const target = resolve(join(root, `${folder}${r.relativePath}`));
    if (!target.startsWith(resolve(root) + sep)) throw new CoreError('invalid_argument', 'the delivery path leaves the endpoint folder');
    const temp = join(dirname(target), `.thru-${randomBytes(6).toString('hex')}.part`);
    try {
      await mkdirDurably(dirname(target), { recursive: true, mode: 0o777 });
      const out = await fsp.open(temp, 'wx', 0o640);
      try {
        await streamToFile(await r.open(), out, r.signal);
      } finally {
        await out.close();
      }
      await fsp.rename(temp, target);
      await fsyncDirectory(dirname(target));
    } catch (err) {
      // The cleanup fails too when the folder could not be made (ENOTDIR): report the cause.
      await fsp.rm(temp, { force: true }).catch(() => undefined);
      throw fromFsError(err);
    }
    return { location: target };
  }
}
