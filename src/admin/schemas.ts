// Request and response schemas of the admin API (SPEC §5): zod validates requests with
// them and the OpenAPI document is generated from them. Requests are strict (unknown
// fields are a 400) and check shapes and types only; the meaning (name rules, paths,
// keys, ranges) is checked by the core tenancy services, which answer 422.
import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES, ENDPOINT_TYPES, PERMISSIONS, TRANSFER_STATES } from '../core/model.js';
import { MAX_IDLE_TIMEOUT_SECONDS, MIN_IDLE_TIMEOUT_SECONDS, MIN_PASSWORD_LENGTH } from '../core/tenancy/rules.js';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

const instant = z.string().openapi({ format: 'date-time', example: '2030-01-31T00:00:00.000Z' });
const id = (example: string) => z.string().openapi({ example });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_argument' }),
      message: z.string().openapi({ example: 'homeDirectory: the path cannot contain "." or ".." segments' }),
    }),
  })
  .openapi('Error');

// ---- paging, params, query --------------------------------------------------------

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional().openapi({ description: `1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}` }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

export const CascadeQuery = z.strictObject({
  cascade: z.enum(['true', 'false']).optional().openapi({ description: 'delete the children too; without it a parent with children answers 409' }),
});

const param = (name: string, example: string) => z.string().min(1).openapi({ param: { name, in: 'path' }, example });
export const OrgParams = z.object({ orgId: param('orgId', 'org-3f9a0c1b2d4e5f60') });
export const EndpointParams = z.object({ endpointId: param('endpointId', 'ep-3f9a0c1b2d4e5f60') });
export const FlowParams = z.object({ flowId: param('flowId', 'flow-3f9a0c1b2d4e5f60') });
export const FlowEndpointParams = z.object({ flowEndpointId: param('flowEndpointId', 'fe-3f9a0c1b2d4e5f60') });
export const UserParams = z.object({ userId: param('userId', 'usr-3f9a0c1b2d4e5f60') });
export const KeyParams = UserParams.extend({
  fingerprint: param('fingerprint', 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s').openapi({
    description: 'as ssh-keygen -l prints it; the "SHA256:" prefix is optional and URL-safe base64 ("-", "_") is accepted',
  }),
});
export const TransferParams = z.object({ transferId: param('transferId', 'tr-3f9a0c1b2d4e5f60') });

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional().openapi({ description: 'absent on the last page' }) }).openapi(name);

// ---- organizations -----------------------------------------------------------------

export const OrganizationSchema = z.object({ id: id('org-3f9a0c1b2d4e5f60'), name: z.string(), createdAt: instant, updatedAt: instant }).openapi('Organization');
export const OrganizationCreate = z.strictObject({ name: z.string().openapi({ example: 'Acme Bank' }) }).openapi('OrganizationCreate');
export const OrganizationPatch = z.strictObject({ name: z.string().optional() }).openapi('OrganizationPatch');

// ---- endpoints ---------------------------------------------------------------------

const idleTimeoutSeconds = z.number().int().openapi({ minimum: MIN_IDLE_TIMEOUT_SECONDS, maximum: MAX_IDLE_TIMEOUT_SECONDS, example: 900 });
const endpointCommon = { name: z.string().openapi({ example: 'partners-sftp' }), description: z.string().optional() };

export const EndpointCreate = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('thru-sftp-server'), ...endpointCommon, config: z.strictObject({ idleTimeoutSeconds: idleTimeoutSeconds.optional() }).optional() }),
    z.strictObject({ type: z.literal('s3'), ...endpointCommon, config: z.strictObject({ bucket: z.string(), prefix: z.string().optional() }) }),
    z.strictObject({
      type: z.literal('webhook'),
      ...endpointCommon,
      config: z.strictObject({ url: z.string().openapi({ format: 'uri' }), secret: z.string().openapi({ description: 'HMAC-SHA256 signing key, 16 to 256 characters; write-only' }) }),
    }),
    z.strictObject({ type: z.literal('directory'), ...endpointCommon, config: z.strictObject({ path: z.string().openapi({ description: 'absolute folder on the server' }) }) }),
  ])
  .openapi('EndpointCreate');

export const EndpointPatch = z
  .strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    config: z
      .strictObject({
        idleTimeoutSeconds: idleTimeoutSeconds.optional(),
        bucket: z.string().optional(),
        prefix: z.string().optional(),
        url: z.string().optional(),
        secret: z.string().optional(),
        path: z.string().optional(),
      })
      .optional()
      .openapi({ description: "merged into the current config; only the fields of the endpoint's type apply (422 otherwise)" }),
  })
  .openapi('EndpointPatch');

export const EndpointSchema = z
  .object({
    id: id('ep-3f9a0c1b2d4e5f60'),
    orgId: z.string(),
    name: z.string(),
    type: z.enum(ENDPOINT_TYPES),
    description: z.string(),
    config: z.union([
      z.object({ idleTimeoutSeconds: z.number() }),
      z.object({ bucket: z.string(), prefix: z.string() }),
      z.object({ url: z.string() }).openapi({ description: 'webhook: the secret is never returned' }),
      z.object({ path: z.string() }),
    ]),
    publicUrl: z.string().optional().openapi({ description: 'thru-sftp-server only', example: 'sftp://sftp.example.com:22' }),
    hostKeyFingerprints: z.array(z.string()).optional().openapi({ description: 'thru-sftp-server only', example: ['SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'] }),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Endpoint');

// ---- flows -------------------------------------------------------------------------

const TriggerFileSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('per-file'), suffix: z.string().openapi({ example: '.trg' }) }),
  z.strictObject({ mode: z.literal('batch'), name: z.string().openapi({ example: 'done.ok' }) }),
]);
const TriggersInput = z
  .strictObject({
    tempFilePatterns: z.array(z.string()).optional().openapi({ description: 'default ["*.filepart", "*.tmp"]', example: ['*.filepart', '*.tmp'] }),
    triggerFile: TriggerFileSchema.optional(),
  })
  .openapi('Triggers');

const sourceFields = {
  endpointId: z.string(),
  path: z.string().optional().openapi({ description: 'folder inside the endpoint, default "/"', example: '/in' }),
  triggers: TriggersInput.optional(),
  deleteSourceAfterDelivery: z.boolean().optional(),
};
const targetFields = { endpointId: z.string(), path: z.string().optional().openapi({ example: '/' }) };
const keepId = z.string().optional().openapi({ description: 'id of an existing flow endpoint of this flow to keep (and its users)' });

export const FlowCreate = z
  .strictObject({
    name: z.string(),
    enabled: z.boolean().optional(),
    sources: z.array(z.strictObject(sourceFields)),
    targets: z.array(z.strictObject(targetFields)).optional(),
  })
  .openapi('FlowCreate');

export const FlowPatch = z
  .strictObject({
    name: z.string().optional(),
    enabled: z.boolean().optional(),
    sources: z.array(z.strictObject({ id: keepId, ...sourceFields })).optional().openapi({ description: 'replaces the sources' }),
    targets: z.array(z.strictObject({ id: keepId, ...targetFields })).optional().openapi({ description: 'replaces the targets' }),
  })
  .openapi('FlowPatch');

const FlowEndpointSchema = z
  .object({
    id: id('fe-3f9a0c1b2d4e5f60'),
    flowId: z.string(),
    orgId: z.string(),
    endpointId: z.string(),
    role: z.enum(['source', 'target']),
    path: z.string(),
    triggers: z.object({ tempFilePatterns: z.array(z.string()), triggerFile: TriggerFileSchema.optional() }).optional(),
    deleteSourceAfterDelivery: z.boolean().optional(),
  })
  .openapi('FlowEndpoint');

export const FlowSchema = z
  .object({
    id: id('flow-3f9a0c1b2d4e5f60'),
    orgId: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    sources: z.array(FlowEndpointSchema),
    targets: z.array(FlowEndpointSchema),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('Flow');

// ---- users -------------------------------------------------------------------------

const permissions = z.array(z.enum(PERMISSIONS)).openapi({ description: 'default: all' });
const keyLine = z.string().openapi({ example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... partner@laptop' });

export const UserCreate = z
  .strictObject({
    username: z.string().openapi({ example: 'acme-upload', description: 'unique in the deployment; a-z, 0-9, ".", "_", "-", "@"' }),
    password: z.string().optional().openapi({ description: `at least ${MIN_PASSWORD_LENGTH} characters; stored hashed, never returned` }),
    publicKeys: z.array(keyLine).optional().openapi({ description: 'OpenSSH public key lines: Ed25519, ECDSA, RSA ≥ 2048 bits' }),
    homeDirectory: z.string().optional().openapi({ description: 'inside the flow endpoint folder, default "/"' }),
    permissions: permissions.optional(),
    allowedCidrs: z.array(z.string()).optional().openapi({ example: ['203.0.113.0/24'] }),
    enabled: z.boolean().optional(),
    expiresAt: instant.optional(),
  })
  .openapi('UserCreate');

export const UserPatch = z
  .strictObject({
    password: z.string().nullable().optional().openapi({ description: 'null removes the password' }),
    publicKeys: z.array(keyLine).optional().openapi({ description: 'replaces every key' }),
    homeDirectory: z.string().optional(),
    permissions: permissions.optional(),
    allowedCidrs: z.array(z.string()).optional(),
    enabled: z.boolean().optional(),
    expiresAt: instant.nullable().optional().openapi({ description: 'null removes the expiry' }),
  })
  .openapi('UserPatch');

export const KeyCreate = z.strictObject({ publicKey: keyLine }).openapi('PublicKeyCreate');

export const PublicKeySchema = z
  .object({ fingerprint: z.string().openapi({ example: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s' }), type: z.string(), comment: z.string(), addedAt: instant, publicKey: keyLine })
  .openapi('PublicKey');

export const UserSchema = z
  .object({
    id: id('usr-3f9a0c1b2d4e5f60'),
    username: z.string(),
    orgId: z.string(),
    flowEndpointId: z.string(),
    hasPassword: z.boolean(),
    publicKeys: z.array(PublicKeySchema),
    homeDirectory: z.string(),
    permissions: z.array(z.enum(PERMISSIONS)),
    allowedCidrs: z.array(z.string()),
    enabled: z.boolean(),
    expiresAt: instant.optional(),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('User');

// ---- transfers ---------------------------------------------------------------------

const DeliverySchema = z
  .object({
    id: z.string(),
    targetFlowEndpointId: z.string(),
    targetEndpointId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    nextAttemptAt: instant.optional(),
    startedAt: instant.optional(),
    completedAt: instant.optional(),
    location: z.string().optional(),
  })
  .openapi('Delivery');

export const TransferSchema = z
  .object({
    id: id('tr-3f9a0c1b2d4e5f60'),
    state: z.enum(TRANSFER_STATES).openapi({
      description: 'awaiting-trigger: uploaded, no completion signal yet; waiting-for-data: a trigger file arrived before its data file; active: complete, see the deliveries; failed: see error',
    }),
    signal: z.enum(['temp-rename', 'per-file-trigger', 'batch-trigger']).optional().openapi({ description: 'how completion was signalled' }),
    error: z.string().optional().openapi({ description: 'why a failed transfer could not be processed' }),
    finishedAt: instant.optional().openapi({ description: 'when every delivery completed and the follow-ups ran' }),
    orgId: z.string(),
    flowId: z.string(),
    sourceFlowEndpointId: z.string(),
    endpointId: z.string(),
    path: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    user: z.string().optional(),
    sourceIp: z.string().optional(),
    receivedAt: instant,
    deliveries: z.array(DeliverySchema),
  })
  .openapi('Transfer');

// ---- bans ------------------------------------------------------------------------------

export const BanParams = z.object({
  ip: param('ip', '203.0.113.7').openapi({
    description: 'an IPv4 or IPv6 address, or an IPv6 /64 as listed (URL-encode the "/": 2001%3Adb8%3A1%3A2%3A%3A%2F64); an IPv6 address lifts the ban on its /64',
  }),
});

export const BanSchema = z
  .object({
    ip: z.string().openapi({ description: 'an IPv4 address, or an IPv6 /64 (IPv6 clients are banned by /64)', example: '203.0.113.7' }),
    bannedAt: instant,
    until: instant,
    offences: z.number().int().openapi({ description: 'bans in a row for this address, this one included: each lasts twice as long as the last', example: 1 }),
    score: z.number().int().openapi({ description: 'the failed-login score that set the ban off', example: 15 }),
  })
  .openapi('Ban');
