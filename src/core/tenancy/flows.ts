// Flows: source flow endpoints (where partners upload, with their triggers) connected to
// target flow endpoints (where completed files are delivered). Everything is checked
// before the single write that stores the flow with its flow endpoints.
import { alreadyExists, invalidArgument, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { DEFAULT_TEMP_FILE_PATTERNS, type Flow, type FlowEndpoint, type FlowEndpointRole, type Triggers } from '../model.js';
import { isWithin } from '../paths.js';
import type { Page, PageRequest } from '../ports/directory.js';
import { all, type TenancyContext } from './context.js';
import { hasChildren, checkFolder, checkName, checkTriggers } from './rules.js';
import { deleteUsersOfFlowEndpoint } from './users.js';

export const MAX_FLOW_ENDPOINTS_PER_ROLE = 20;

export interface FlowEndpointInput {
  /** Updates only: keeps that flow endpoint (and the users created in it). */
  id?: string;
  endpointId: string;
  /** Folder inside the endpoint; "/" when absent. */
  path?: string;
  /** Sources only. Absent: the default temp-file patterns. */
  triggers?: Partial<Triggers>;
  /** Sources only. */
  deleteSourceAfterDelivery?: boolean;
}

export interface FlowInput {
  name: string;
  enabled?: boolean;
  sources: FlowEndpointInput[];
  targets?: FlowEndpointInput[];
}

/** `sources`/`targets`, when given, replace the lists; elements carrying an `id` keep that flow endpoint. */
export interface FlowPatch {
  name?: string;
  enabled?: boolean;
  sources?: FlowEndpointInput[];
  targets?: FlowEndpointInput[];
}

export class Flows {
  constructor(private readonly ctx: TenancyContext) {}

  async create(orgId: string, input: FlowInput): Promise<Flow> {
    if (!(await this.ctx.directory.organizations.get(orgId))) throw notFound(`organization ${orgId}`);
    const id = newId('flow');
    const name = await this.uniqueName(orgId, input.name);
    const sources = await this.flowEndpoints(orgId, id, 'source', input.sources, []);
    const targets = await this.flowEndpoints(orgId, id, 'target', input.targets ?? [], []);
    checkTopology(sources, targets);
    const at = this.ctx.clock.now().toISOString();
    const flow: Flow = { id, orgId, name, enabled: input.enabled ?? true, sources, targets, createdAt: at, updatedAt: at };
    await this.ctx.directory.flows.create(flow);
    return flow;
  }

  async get(id: string): Promise<Flow> {
    const flow = await this.ctx.directory.flows.get(id);
    if (!flow) throw notFound(`flow ${id}`);
    return flow;
  }

  async getFlowEndpoint(id: string): Promise<FlowEndpoint> {
    const fe = await this.ctx.directory.flows.getFlowEndpoint(id);
    if (!fe) throw notFound(`flow endpoint ${id}`);
    return fe;
  }

  async listByOrg(orgId: string, page: PageRequest): Promise<Page<Flow>> {
    if (!(await this.ctx.directory.organizations.get(orgId))) throw notFound(`organization ${orgId}`);
    return this.ctx.directory.flows.listByOrg(orgId, page);
  }

  async update(id: string, patch: FlowPatch): Promise<Flow> {
    const current = await this.get(id);
    const name = patch.name === undefined ? undefined : await this.uniqueName(current.orgId, patch.name, id);
    const sources = patch.sources === undefined ? current.sources : await this.flowEndpoints(current.orgId, id, 'source', patch.sources, current.sources);
    const targets = patch.targets === undefined ? current.targets : await this.flowEndpoints(current.orgId, id, 'target', patch.targets, current.targets);
    checkTopology(sources, targets);
    const kept = new Set([...sources, ...targets].map((fe) => fe.id));
    for (const dropped of [...current.sources, ...current.targets].filter((fe) => !kept.has(fe.id))) {
      const users = await this.ctx.directory.users.listByFlowEndpoint(dropped.id, { limit: 1 });
      if (users.items.length > 0) throw hasChildren(`flow endpoint ${dropped.id} has users; delete them before removing it from the flow`);
    }
    const at = this.ctx.clock.now().toISOString();
    return this.ctx.directory.flows.update(id, (flow) => ({
      ...flow,
      ...(name === undefined ? {} : { name }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      sources,
      targets,
      updatedAt: at,
    }));
  }

  /** Refused while users exist in its flow endpoints, unless `cascade` (users go first). */
  async delete(id: string, options: { cascade: boolean }): Promise<void> {
    const flow = await this.get(id);
    const { directory } = this.ctx;
    const flowEndpoints = [...flow.sources, ...flow.targets];
    if (!options.cascade) {
      for (const fe of flowEndpoints) {
        if ((await directory.users.listByFlowEndpoint(fe.id, { limit: 1 })).items.length > 0) {
          throw hasChildren(`flow ${id} has users (in flow endpoint ${fe.id}); delete them first or use cascade`);
        }
      }
    }
    for (const fe of flowEndpoints) await deleteUsersOfFlowEndpoint(directory, fe.id);
    await directory.flows.delete(id);
  }

  private async flowEndpoints(orgId: string, flowId: string, role: FlowEndpointRole, inputs: FlowEndpointInput[], existing: FlowEndpoint[]): Promise<FlowEndpoint[]> {
    const field = `${role}s`;
    if (role === 'source' && inputs.length === 0) throw invalidArgument('a flow needs at least one source');
    if (inputs.length > MAX_FLOW_ENDPOINTS_PER_ROLE) throw invalidArgument(`${field} is limited to ${MAX_FLOW_ENDPOINTS_PER_ROLE} entries`);
    const out: FlowEndpoint[] = [];
    for (const [i, input] of inputs.entries()) {
      const at = `${field}[${i}]`;
      const endpoint = await this.ctx.directory.endpoints.get(input.endpointId);
      if (!endpoint || endpoint.orgId !== orgId) throw invalidArgument(`${at}.endpointId: endpoint ${input.endpointId} not found in organization ${orgId}`);
      if (role === 'source' && endpoint.type !== 'thru-sftp-server') throw invalidArgument(`${at}: a source must be a thru-sftp-server endpoint (${endpoint.id} is ${endpoint.type})`);
      if (role === 'target' && (input.triggers !== undefined || input.deleteSourceAfterDelivery !== undefined)) {
        throw invalidArgument(`${at}: triggers and deleteSourceAfterDelivery apply to sources only`);
      }
      let id: string;
      if (input.id !== undefined) {
        const kept = existing.find((fe) => fe.id === input.id);
        if (!kept) throw invalidArgument(`${at}.id: ${input.id} is not a ${role} of this flow`);
        if (kept.endpointId !== input.endpointId) throw invalidArgument(`${at}: a flow endpoint keeps its endpoint; add a new one instead`);
        if (out.some((fe) => fe.id === input.id)) throw invalidArgument(`${at}.id: ${input.id} is listed twice`);
        id = kept.id;
      } else {
        id = newId('fe');
      }
      const path = checkFolder(`${at}.path`, input.path ?? '/');
      if (out.some((fe) => fe.endpointId === input.endpointId && fe.path === path)) throw invalidArgument(`${at}: endpoint ${input.endpointId} at ${path} is listed twice`);
      const fe: FlowEndpoint = { id, flowId, orgId, endpointId: endpoint.id, role, path };
      if (role === 'source') {
        fe.triggers = checkTriggers(input.triggers ?? {}, DEFAULT_TEMP_FILE_PATTERNS);
        if (input.deleteSourceAfterDelivery !== undefined) fe.deleteSourceAfterDelivery = input.deleteSourceAfterDelivery;
      }
      out.push(fe);
    }
    return out;
  }

  /** Flow names are unique within their organization, compared case-insensitively. */
  private async uniqueName(orgId: string, value: string, self?: string): Promise<string> {
    const name = checkName('name', value);
    const siblings = await all((p) => this.ctx.directory.flows.listByOrg(orgId, p));
    if (siblings.some((f) => f.id !== self && f.name.toLowerCase() === name.toLowerCase())) throw alreadyExists(`a flow named "${name}" in organization ${orgId}`);
    return name;
  }
}

/** A target folder inside (or around) a source folder would feed deliveries back in as uploads. */
function checkTopology(sources: FlowEndpoint[], targets: FlowEndpoint[]): void {
  for (const t of targets) {
    const loop = sources.find((s) => s.endpointId === t.endpointId && (isWithin(t.path, s.path) || isWithin(s.path, t.path)));
    if (loop) throw invalidArgument(`target ${t.endpointId} at ${t.path} overlaps source folder ${loop.path}: deliveries would loop back as uploads`);
  }
}
