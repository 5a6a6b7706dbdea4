// The bench user's tenancy, made through the same tenancy services as the admin API
// (so it obeys the product's rules), on whichever directory the runtime uses: SQLite
// for the local runtime, DynamoDB (dynalite) for the sim.
import type { Directory } from '../src/core/ports/directory.js';
import { systemClock } from '../src/core/ports/clock.js';
import { createTenancy } from '../src/core/tenancy/index.js';
import type { FlowEndpointInput } from '../src/core/tenancy/flows.js';
import type { Account } from './scenario.js';

/** The flow from the bench user's endpoint; by default no targets and the default temp-file patterns. */
export interface BenchFlow {
  tempFilePatterns?: string[];
  /** A webhook target: the endpoint gets one signed POST per completed file. */
  webhook?: { url: string; secret: string };
}

export interface BenchTenant {
  orgId: string;
  /** The user's thru-sftp-server endpoint: files live under endpointKey(orgId, endpointId). */
  endpointId: string;
  flowId: string;
}

export async function provisionTenant(directory: Directory, account: Account, flow: BenchFlow = {}): Promise<BenchTenant> {
  const tenancy = createTenancy({
    directory,
    clock: systemClock,
    sftp: { publicUrl: 'sftp://127.0.0.1:22', hostKeyFingerprints: [] },
    retryTransfer: () => Promise.reject(new Error('the benchmark retries nothing')),
  });
  const org = await tenancy.organizations.create({ name: 'bench' });
  // Long idle timeout: the idle-session scenario keeps sessions open for a while.
  const endpoint = await tenancy.endpoints.create(org.id, { name: 'bench', type: 'thru-sftp-server', config: { idleTimeoutSeconds: 3600 } });
  const targets: FlowEndpointInput[] = [];
  if (flow.webhook) {
    const hook = await tenancy.endpoints.create(org.id, { name: 'bench-webhook', type: 'webhook', config: flow.webhook });
    targets.push({ endpointId: hook.id });
  }
  const created = await tenancy.flows.create(org.id, {
    name: 'bench',
    sources: [{ endpointId: endpoint.id, path: '/', ...(flow.tempFilePatterns ? { triggers: { tempFilePatterns: flow.tempFilePatterns } } : {}) }],
    targets,
  });
  await tenancy.users.create(created.sources[0]!.id, { username: account.user, password: account.password, publicKeys: [account.publicKey] });
  return { orgId: org.id, endpointId: endpoint.id, flowId: created.id };
}
