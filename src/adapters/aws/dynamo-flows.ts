// Flows and their flow endpoints, with no transactions.
//
// The flow item holds its flow endpoints and is the only truth. Each (flow endpoint,
// endpoint) pair also has an index item (dynamo-keys.ts) so that a flow endpoint can be
// found by id and by endpoint; readers follow it to the flow and keep the flow endpoint
// only if the flow lists it. Writers keep one invariant: every pair a stored flow lists
// has its index item. So they add index items before writing the flow and remove stale
// ones after; a write that fails in between leaves extra index items, which no reader
// ever returns.
//
// Index items carry the flow revision that wrote them and only move forward, and a
// stale item is removed only if it is older than the revision that dropped it: a
// concurrent update that lists the pair again has written a newer one.
import { alreadyExists, conflict } from '../../core/errors.js';
import type { Flow, FlowEndpoint } from '../../core/model.js';
import type { FlowStore, Page, PageRequest, Transform } from '../../core/ports/directory.js';
import { GSI1, children, flowEndpointIndexKey, flowEndpointIndexPartition, recordKey } from './dynamo-keys.js';
import type { RecordItem, Records } from './dynamo-records.js';
import type { DynamoTable } from './dynamo-table.js';

interface IndexItem {
  PK: string;
  SK: string;
  GSI1PK: string;
  GSI1SK: string;
  kind: 'flow-endpoint';
  flowId: string;
  endpointId: string;
  rev: number;
  [attribute: string]: unknown;
}

export const flowType = {
  kind: 'flow',
  what: 'flow',
  key: recordKey.flow,
  index: (f: Flow) => ({ GSI1PK: children.flowsOfOrg.partition(f.orgId), GSI1SK: `${children.flowsOfOrg.prefix}${f.id}` }),
};

const flowEndpointsOf = (flow: Flow) => [...flow.sources, ...flow.targets];
const pairId = (fe: FlowEndpoint) => `${fe.id} ${fe.endpointId}`;
/** Pairs of `a` that `b` does not have. */
const pairsMissing = (a: Flow, b: Flow | undefined) => {
  const inB = new Set(b ? flowEndpointsOf(b).map(pairId) : []);
  return flowEndpointsOf(a).filter((fe) => !inB.has(pairId(fe)));
};
const listed = (flow: Flow | undefined, flowEndpointId: string) => flow && flowEndpointsOf(flow).find((fe) => fe.id === flowEndpointId);

export class DynamoFlows implements FlowStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly flows: Records<Flow>,
    private readonly onCleanupError: (err: unknown, what: string) => void,
  ) {}

  async create(flow: Flow): Promise<void> {
    await this.addIndex(flow, flowEndpointsOf(flow), 1);
    let created: boolean;
    try {
      created = await this.flows.create(flow);
    } catch (err) {
      await this.dropUnlisted(flow, 1);
      throw err;
    }
    if (!created) {
      await this.dropUnlisted(flow, 1);
      throw alreadyExists('flow');
    }
  }

  get(id: string): Promise<Flow | undefined> {
    return this.flows.get(id);
  }

  listByOrg(orgId: string, page: PageRequest): Promise<Page<Flow>> {
    return this.flows.page({ partition: children.flowsOfOrg.partition(orgId), prefix: children.flowsOfOrg.prefix }, page);
  }

  update(id: string, transform: Transform<Flow>): Promise<Flow> {
    return this.flows.update(id, transform, {
      beforeWrite: (current, next, rev) => this.addIndex(next, pairsMissing(next, current), rev, current),
      afterWrite: (current, next, rev) => this.removeIndex(id, pairsMissing(current, next), { expression: '#rev < :rev', values: { ':rev': rev } }),
    });
  }

  async delete(id: string): Promise<void> {
    const old = await this.flows.delete(id);
    await this.removeIndex(id, flowEndpointsOf(old.data), { expression: '#rev <= :rev', values: { ':rev': old.rev } });
  }

  async getFlowEndpoint(id: string): Promise<FlowEndpoint | undefined> {
    const index = await this.table.queryAll<IndexItem>({ partition: flowEndpointIndexPartition(id) });
    for (const flowId of new Set(index.map((i) => i.flowId))) {
      const fe = listed(await this.flows.get(flowId), id);
      if (fe) return fe;
    }
    return undefined;
  }

  async listFlowEndpointsByEndpoint(endpointId: string): Promise<FlowEndpoint[]> {
    const c = children.flowEndpointsOnEndpoint;
    const index = await this.table.queryAll<IndexItem>({ index: GSI1, partition: c.partition(endpointId), prefix: c.prefix });
    const flowIds = [...new Set(index.map((i) => i.flowId))];
    const flows = await this.table.batchGet<RecordItem<Flow>>(flowIds.map(recordKey.flow));
    const found = new Map<string, FlowEndpoint>();
    for (const { data } of flows) for (const fe of flowEndpointsOf(data)) if (fe.endpointId === endpointId) found.set(fe.id, fe);
    return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Writes index items for `pairs` of `flow` at revision `rev`, after checking that no
   * other flow lists one of their flow endpoint ids (`current`: the flow before this write).
   */
  private async addIndex(flow: Flow, pairs: FlowEndpoint[], rev: number, current?: Flow): Promise<void> {
    const newIds = new Set(pairs.filter((fe) => !listed(current, fe.id)).map((fe) => fe.id));
    await Promise.all([...newIds].map((id) => this.refuseIfListedElsewhere(flow.id, id)));
    await Promise.all(pairs.map((fe) => this.putIndex(flow.id, fe, rev)));
  }

  private async refuseIfListedElsewhere(flowId: string, flowEndpointId: string): Promise<void> {
    const index = await this.table.queryAll<IndexItem>({ partition: flowEndpointIndexPartition(flowEndpointId) });
    for (const other of new Set(index.map((i) => i.flowId))) {
      if (other !== flowId && listed(await this.flows.get(other), flowEndpointId)) throw alreadyExists('flow endpoint');
    }
  }

  private async putIndex(flowId: string, fe: FlowEndpoint, rev: number): Promise<void> {
    const c = children.flowEndpointsOnEndpoint;
    const key = flowEndpointIndexKey(fe.id, fe.endpointId);
    const item: IndexItem = { ...key, GSI1PK: c.partition(fe.endpointId), GSI1SK: `${c.prefix}${fe.id}`, kind: 'flow-endpoint', flowId, endpointId: fe.endpointId, rev };
    const forward = { expression: 'attribute_not_exists(#PK) OR (#flowId = :flowId AND #rev < :rev)', values: { ':flowId': flowId, ':rev': rev } };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.table.put(item, forward)) return;
      const held = await this.table.get<IndexItem>(key);
      if (!held) continue; // removed meanwhile
      if (held.flowId === flowId) return; // a newer revision of this flow has it already
      if (listed(await this.flows.get(held.flowId), fe.id)) throw alreadyExists('flow endpoint');
      // Left behind by another flow's failed write: take it over unless it changed.
      const unchanged = { expression: '#flowId = :old AND #rev = :oldRev', values: { ':old': held.flowId, ':oldRev': held.rev } };
      if (await this.table.put(item, unchanged)) return;
    }
    throw conflict('the flow endpoint index kept changing; try again');
  }

  /** Removes index items of `pairs` that `condition` still allows (best effort: leftovers are invisible). */
  private async removeIndex(flowId: string, pairs: FlowEndpoint[], condition: { expression: string; values: Record<string, unknown> }): Promise<void> {
    const mine = { expression: `#flowId = :flowId AND ${condition.expression}`, values: { ...condition.values, ':flowId': flowId } };
    await Promise.all(
      pairs.map(async (fe) => {
        try {
          await this.table.delete(flowEndpointIndexKey(fe.id, fe.endpointId), mine);
        } catch (err) {
          this.onCleanupError(err, 'flow endpoint index item');
        }
      }),
    );
  }

  /** After a failed create: removes the index items it wrote that the stored flow (if any) does not list. */
  private async dropUnlisted(flow: Flow, rev: number): Promise<void> {
    try {
      const stored = await this.flows.get(flow.id);
      await this.removeIndex(flow.id, pairsMissing(flow, stored), { expression: '#rev <= :rev', values: { ':rev': rev } });
    } catch (err) {
      this.onCleanupError(err, 'flow endpoint index items of a failed create');
    }
  }
}
