// Organizations: the tenants. Deleting one with endpoints or flows is refused unless the
// caller asks for the cascade, which removes users, flows, then endpoints, so a failure
// midway never leaves a child pointing at a deleted parent.
import { alreadyExists, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Organization } from '../model.js';
import type { Page, PageRequest } from '../ports/directory.js';
import { all, type TenancyContext } from './context.js';
import { hasChildren, checkName } from './rules.js';
import type { Endpoints } from './endpoints.js';
import type { Flows } from './flows.js';

export interface OrganizationInput {
  name: string;
}

export class Organizations {
  constructor(
    private readonly ctx: TenancyContext,
    private readonly endpoints: Endpoints,
    private readonly flows: Flows,
  ) {}

  async create(input: OrganizationInput): Promise<Organization> {
    const name = await this.uniqueName(input.name);
    const at = this.ctx.clock.now().toISOString();
    const org: Organization = { id: newId('org'), name, createdAt: at, updatedAt: at };
    await this.ctx.directory.organizations.create(org);
    return org;
  }

  async get(id: string): Promise<Organization> {
    const org = await this.ctx.directory.organizations.get(id);
    if (!org) throw notFound(`organization ${id}`);
    return org;
  }

  list(page: PageRequest): Promise<Page<Organization>> {
    return this.ctx.directory.organizations.list(page);
  }

  async update(id: string, patch: Partial<OrganizationInput>): Promise<Organization> {
    await this.get(id);
    const name = patch.name === undefined ? undefined : await this.uniqueName(patch.name, id);
    const at = this.ctx.clock.now().toISOString();
    return this.ctx.directory.organizations.update(id, (org) => ({ ...org, ...(name === undefined ? {} : { name }), updatedAt: at }));
  }

  async delete(id: string, options: { cascade: boolean }): Promise<void> {
    await this.get(id);
    const { directory } = this.ctx;
    const flows = await all((p) => directory.flows.listByOrg(id, p));
    const endpoints = await all((p) => directory.endpoints.listByOrg(id, p));
    if (!options.cascade && (flows.length > 0 || endpoints.length > 0)) {
      throw hasChildren(`organization ${id} has ${endpoints.length} endpoint(s) and ${flows.length} flow(s); delete them first or use cascade`);
    }
    for (const flow of flows) await this.flows.delete(flow.id, { cascade: true });
    for (const endpoint of endpoints) await this.endpoints.delete(endpoint.id, { cascade: true });
    await directory.organizations.delete(id);
  }

  /** Organization names are unique in the deployment, compared case-insensitively. */
  private async uniqueName(value: string, self?: string): Promise<string> {
    const name = checkName('name', value);
    const orgs = await all((p) => this.ctx.directory.organizations.list(p));
    if (orgs.some((o) => o.id !== self && o.name.toLowerCase() === name.toLowerCase())) throw alreadyExists(`an organization named "${name}"`);
    return name;
  }
}
