// Delivery into another thru-sftp-server endpoint's folder, where that endpoint's
// partners download it: a copy inside our own storage, written atomically.
import type { Deliverer, DeliveryRequest, DeliveryResult } from '../ports/delivery.js';
import type { Storage } from '../ports/storage.js';
import { endpointKey } from '../paths.js';

export class StorageDeliverer implements Deliverer {
  constructor(private readonly storage: Storage) {}

  async deliver(r: DeliveryRequest): Promise<DeliveryResult> {
    const folder = r.targetFlowEndpoint.path === '/' ? '' : r.targetFlowEndpoint.path;
    const key = `${endpointKey(r.target.orgId, r.target.id)}${folder}${r.relativePath}`;
    await this.storage.writeStream(key, await r.open(), { meta: { user: r.transfer.user }, signal: r.signal });
    return { location: `${folder}${r.relativePath}` };
  }
}
