// Transfers as admins see them, and the retry of dead deliveries. Retrying is the
// pipeline's business: the service calls the function the runtime injects.
import { notFound } from '../errors.js';
import type { Transfer } from '../model.js';
import type { Page, PageRequest } from '../ports/directory.js';
import type { TenancyContext } from './context.js';

export type { RetryTransfer } from './context.js';

export type TransferView = Omit<Transfer, 'version'>;

export function transferView(t: Transfer): TransferView {
  const { version: _version, ...view } = t;
  return { ...view, deliveries: t.deliveries.map((d) => ({ ...d })) };
}

export class Transfers {
  constructor(private readonly ctx: TenancyContext) {}

  async get(id: string): Promise<Transfer> {
    const transfer = await this.ctx.directory.transfers.get(id);
    if (!transfer) throw notFound(`transfer ${id}`);
    return transfer;
  }

  /** Newest first. */
  async listByFlow(flowId: string, page: PageRequest): Promise<Page<Transfer>> {
    if (!(await this.ctx.directory.flows.get(flowId))) throw notFound(`flow ${flowId}`);
    return this.ctx.directory.transfers.listByFlow(flowId, page);
  }

  /** 404 for an unknown transfer; otherwise whatever the injected retry decides (409 when nothing is dead). */
  async retry(id: string): Promise<Transfer> {
    await this.get(id);
    return this.ctx.retryTransfer(id);
  }
}
