// Records for the directory contract: valid shapes with fresh ids, overridable per test.
import { newId } from '../../src/core/ids.js';
import type { Endpoint, Flow, FlowEndpoint, Organization, Transfer, User } from '../../src/core/model.js';
import type { Page, PageRequest } from '../../src/core/ports/directory.js';

const AT = '2025-01-02T03:04:05.678Z';

export const anOrg = (over: Partial<Organization> = {}): Organization => ({
  id: newId('org'),
  name: 'Acme',
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

export const anEndpoint = (orgId: string, over: Partial<Endpoint> = {}): Endpoint =>
  ({
    id: newId('ep'),
    orgId,
    name: 'partner-sftp',
    type: 'thru-sftp-server',
    description: '',
    config: { idleTimeoutSeconds: 900 },
    createdAt: AT,
    updatedAt: AT,
    ...over,
  }) as Endpoint;

export const aSource = (flowId: string, orgId: string, endpointId: string, over: Partial<FlowEndpoint> = {}): FlowEndpoint => ({
  id: newId('fe'),
  flowId,
  orgId,
  endpointId,
  role: 'source',
  path: '/in',
  triggers: { tempFilePatterns: ['*.filepart'], triggerFile: { mode: 'per-file', suffix: '.trg' } },
  deleteSourceAfterDelivery: false,
  ...over,
});

export const aTarget = (flowId: string, orgId: string, endpointId: string, over: Partial<FlowEndpoint> = {}): FlowEndpoint => ({
  id: newId('fe'),
  flowId,
  orgId,
  endpointId,
  role: 'target',
  path: '/out',
  ...over,
});

/** A flow with one source on `sourceEndpoint` and one target per `targetEndpoints`. */
export function aFlow(orgId: string, sourceEndpoint: string, targetEndpoints: string[], over: Partial<Flow> = {}): Flow {
  const id = over.id ?? newId('flow');
  return {
    id,
    orgId,
    name: 'daily-reports',
    enabled: true,
    sources: [aSource(id, orgId, sourceEndpoint)],
    targets: targetEndpoints.map((e) => aTarget(id, orgId, e)),
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

export const aUser = (flowEndpoint: FlowEndpoint, over: Partial<User> = {}): User => ({
  id: newId('usr'),
  username: `partner-${newId('usr').slice(4)}`,
  orgId: flowEndpoint.orgId,
  flowEndpointId: flowEndpoint.id,
  passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
  publicKeys: [{ fingerprint: 'SHA256:abc', type: 'ssh-ed25519', blob: 'AAAA', comment: 'laptop', addedAt: AT }],
  homeDirectory: '/',
  permissions: ['list', 'upload'],
  allowedCidrs: ['10.0.0.0/8'],
  enabled: true,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

export const aTransfer = (flow: Flow, over: Partial<Transfer> = {}): Transfer => ({
  id: newId('tr'),
  state: 'active',
  orgId: flow.orgId,
  flowId: flow.id,
  sourceFlowEndpointId: flow.sources[0]!.id,
  endpointId: flow.sources[0]!.endpointId,
  path: '/in/report.csv',
  size: 1234,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  user: 'partner',
  sourceIp: '192.0.2.1',
  receivedAt: AT,
  deliveries: [],
  version: 1,
  ...over,
});

/** ISO time `seconds` after a fixed instant. */
export const at = (seconds: number) => new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();

/**
 * Walks every page with `limit` and returns them. Checks the paging rules on the way:
 * every page but the last is full and has a cursor, the last one has none.
 */
export async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    pages.push(page.items);
    if (page.cursor === undefined) return pages;
    if (page.items.length !== limit) throw new Error(`a page with a cursor has ${page.items.length} items, expected ${limit}`);
    if (pages.length > 1000) throw new Error('paging does not end');
    cursor = page.cursor;
  }
}

export const ids = (records: { id: string }[]) => records.map((r) => r.id);
export const sortedIds = (records: { id: string }[]) => ids(records).sort();
