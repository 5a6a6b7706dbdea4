// Endpoints of an organization and their type-specific config. The view adds what is
// derived for SFTP endpoints (public URL, host key fingerprints) and leaves out the
// webhook secret, which is write-only.
import { alreadyExists, invalidArgument, notFound } from '../errors.js';
import { newId } from '../ids.js';
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  type DirectoryEndpointConfig,
  type Endpoint,
  type EndpointType,
  type S3EndpointConfig,
  type SftpServerConfig,
  type WebhookEndpointConfig,
} from '../model.js';
import type { Page, PageRequest } from '../ports/directory.js';
import { all, type TenancyContext } from './context.js';
import { hasChildren, checkDescription, checkFolder, checkIdleTimeout, checkName } from './rules.js';
import { deleteUsersOfFlowEndpoint } from './users.js';

/** Config fields as an admin sends them; which ones apply depends on the type. */
export interface EndpointConfigInput {
  idleTimeoutSeconds?: number;
  bucket?: string;
  prefix?: string;
  url?: string;
  secret?: string;
  path?: string;
}

export interface EndpointInput {
  name: string;
  type: EndpointType;
  description?: string;
  config?: EndpointConfigInput;
}

/** The type cannot change; config fields given are merged into the current config. */
export interface EndpointPatch {
  name?: string;
  description?: string;
  config?: EndpointConfigInput;
}

export type EndpointView = Omit<Endpoint, 'config'> & {
  config: SftpServerConfig | S3EndpointConfig | Omit<WebhookEndpointConfig, 'secret'> | DirectoryEndpointConfig;
  publicUrl?: string;
  hostKeyFingerprints?: string[];
};

const CONFIG_FIELDS: Record<EndpointType, (keyof EndpointConfigInput)[]> = {
  'thru-sftp-server': ['idleTimeoutSeconds'],
  s3: ['bucket', 'prefix'],
  webhook: ['url', 'secret'],
  directory: ['path'],
};

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function required(type: EndpointType, c: EndpointConfigInput, field: keyof EndpointConfigInput): string {
  const v = c[field];
  if (typeof v !== 'string' || v === '') throw invalidArgument(`config.${field} is required for ${type} endpoints`);
  return v;
}

function checkWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument('config.url is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidArgument('config.url must be an http or https URL');
  // Credentials in a URL would come back in every read; the signing secret is the credential.
  if (url.username || url.password) throw invalidArgument('config.url cannot carry credentials; the HMAC secret authenticates deliveries');
  return url.toString();
}

/** "a/b" from "/a/b/" ("" for the bucket root); no "." or ".." segments. */
function checkPrefix(value: string): string {
  const segments = value.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) throw invalidArgument('config.prefix cannot contain "." or ".." segments');
  return segments.join('/');
}

/** The full, normalized config of an endpoint of `type`; fields of another type are refused. */
export function checkConfig(type: EndpointType, c: EndpointConfigInput): Endpoint['config'] {
  const foreign = Object.keys(c).filter((k) => c[k as keyof EndpointConfigInput] !== undefined && !CONFIG_FIELDS[type].includes(k as keyof EndpointConfigInput));
  if (foreign.length > 0) throw invalidArgument(`config.${foreign[0]} does not apply to ${type} endpoints (fields: ${CONFIG_FIELDS[type].join(', ')})`);
  switch (type) {
    case 'thru-sftp-server':
      return { idleTimeoutSeconds: checkIdleTimeout(c.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) };
    case 's3': {
      const bucket = required(type, c, 'bucket');
      if (!BUCKET.test(bucket)) throw invalidArgument('config.bucket is not a valid S3 bucket name');
      return { bucket, prefix: checkPrefix(c.prefix ?? '') };
    }
    case 'webhook': {
      const secret = required(type, c, 'secret');
      if (secret.length < 16 || secret.length > 256) throw invalidArgument('config.secret must have 16 to 256 characters');
      return { url: checkWebhookUrl(required(type, c, 'url')), secret };
    }
    case 'directory':
      return { path: checkFolder('config.path', required(type, c, 'path')) };
  }
}

export class Endpoints {
  constructor(private readonly ctx: TenancyContext) {}

  view(endpoint: Endpoint): EndpointView {
    const { id, orgId, name, type, description, createdAt, updatedAt } = endpoint;
    const dates = { createdAt, updatedAt };
    switch (endpoint.type) {
      case 'thru-sftp-server':
        return {
          id, orgId, name, type, description, config: { ...endpoint.config },
          publicUrl: this.ctx.sftp.publicUrl, hostKeyFingerprints: [...this.ctx.sftp.hostKeyFingerprints], ...dates,
        };
      case 'webhook':
        return { id, orgId, name, type, description, config: { url: endpoint.config.url }, ...dates };
      default:
        return { id, orgId, name, type, description, config: { ...endpoint.config }, ...dates };
    }
  }

  async create(orgId: string, input: EndpointInput): Promise<Endpoint> {
    if (!(await this.ctx.directory.organizations.get(orgId))) throw notFound(`organization ${orgId}`);
    const name = await this.uniqueName(orgId, input.name);
    const config = checkConfig(input.type, input.config ?? {});
    const at = this.ctx.clock.now().toISOString();
    const endpoint = { id: newId('ep'), orgId, name, type: input.type, description: checkDescription(input.description ?? ''), config, createdAt: at, updatedAt: at } as Endpoint;
    await this.ctx.directory.endpoints.create(endpoint);
    return endpoint;
  }

  async get(id: string): Promise<Endpoint> {
    const endpoint = await this.ctx.directory.endpoints.get(id);
    if (!endpoint) throw notFound(`endpoint ${id}`);
    return endpoint;
  }

  async listByOrg(orgId: string, page: PageRequest): Promise<Page<Endpoint>> {
    if (!(await this.ctx.directory.organizations.get(orgId))) throw notFound(`organization ${orgId}`);
    return this.ctx.directory.endpoints.listByOrg(orgId, page);
  }

  async update(id: string, patch: EndpointPatch): Promise<Endpoint> {
    const current = await this.get(id);
    const name = patch.name === undefined ? undefined : await this.uniqueName(current.orgId, patch.name, id);
    const description = patch.description === undefined ? undefined : checkDescription(patch.description);
    // Validate against the current record first, so a bad patch fails before any write.
    const config = patch.config === undefined ? undefined : checkConfig(current.type, { ...current.config, ...patch.config });
    const at = this.ctx.clock.now().toISOString();
    return this.ctx.directory.endpoints.update(id, (e) => ({
      ...e,
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(config === undefined ? {} : { config: checkConfig(e.type, { ...e.config, ...patch.config }) }),
      updatedAt: at,
    }) as Endpoint);
  }

  /**
   * Refused while flows use the endpoint, unless `cascade`: then its flow endpoints are
   * removed from their flows (with the users created in them) before the endpoint goes.
   * Files already stored for the endpoint stay in storage.
   */
  async delete(id: string, options: { cascade: boolean }): Promise<void> {
    await this.get(id);
    const { directory } = this.ctx;
    const uses = await directory.flows.listFlowEndpointsByEndpoint(id);
    if (uses.length > 0 && !options.cascade) {
      const flows = [...new Set(uses.map((fe) => fe.flowId))];
      throw hasChildren(`endpoint ${id} is used by flow(s) ${flows.join(', ')}; remove it from them first or use cascade`);
    }
    const at = this.ctx.clock.now().toISOString();
    for (const fe of uses) {
      await deleteUsersOfFlowEndpoint(directory, fe.id);
      await directory.flows.update(fe.flowId, (flow) => ({
        ...flow,
        sources: flow.sources.filter((s) => s.id !== fe.id),
        targets: flow.targets.filter((t) => t.id !== fe.id),
        updatedAt: at,
      }));
    }
    await directory.endpoints.delete(id);
  }

  /** Endpoint names are unique within their organization, compared case-insensitively. */
  private async uniqueName(orgId: string, value: string, self?: string): Promise<string> {
    const name = checkName('name', value);
    const siblings = await all((p) => this.ctx.directory.endpoints.listByOrg(orgId, p));
    if (siblings.some((e) => e.id !== self && e.name.toLowerCase() === name.toLowerCase())) throw alreadyExists(`an endpoint named "${name}" in organization ${orgId}`);
    return name;
  }
}
