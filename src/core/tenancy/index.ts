// The tenancy services, wired once per runtime: what the admin API, the CLI (through
// the API) and the first-start demo use to change organizations, endpoints, flows and
// users.
import type { TenancyContext } from './context.js';
import { Endpoints } from './endpoints.js';
import { Flows } from './flows.js';
import { Organizations } from './organizations.js';
import { Transfers } from './transfers.js';
import { Users } from './users.js';

export interface Tenancy {
  organizations: Organizations;
  endpoints: Endpoints;
  flows: Flows;
  users: Users;
  transfers: Transfers;
}

export function createTenancy(ctx: TenancyContext): Tenancy {
  const endpoints = new Endpoints(ctx);
  const flows = new Flows(ctx);
  return { organizations: new Organizations(ctx, endpoints, flows), endpoints, flows, users: new Users(ctx), transfers: new Transfers(ctx) };
}

export type { RetryTransfer, SftpAccess, TenancyContext } from './context.js';
export { sftpUrl } from './context.js';
