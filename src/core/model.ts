// The domain records of SPEC §2. Plain data: every adapter stores and returns these shapes.

export interface Organization {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const ENDPOINT_TYPES = ['thru-sftp-server', 's3', 'webhook', 'directory'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

export interface SftpServerConfig {
  idleTimeoutSeconds: number;
}
export interface S3EndpointConfig {
  bucket: string;
  prefix: string;
}
export interface WebhookEndpointConfig {
  url: string;
  secret: string;
}
export interface DirectoryEndpointConfig {
  path: string;
}

export type Endpoint =
  | EndpointBase<'thru-sftp-server', SftpServerConfig>
  | EndpointBase<'s3', S3EndpointConfig>
  | EndpointBase<'webhook', WebhookEndpointConfig>
  | EndpointBase<'directory', DirectoryEndpointConfig>;

interface EndpointBase<T extends EndpointType, C> {
  id: string;
  orgId: string;
  name: string;
  type: T;
  description: string;
  config: C;
  createdAt: string;
  updatedAt: string;
}

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 900;

export type TriggerFile = { mode: 'per-file'; suffix: string } | { mode: 'batch'; name: string };

export interface Triggers {
  /** Globs of temporary names: a file renamed from a matching to a non-matching name is complete. */
  tempFilePatterns: string[];
  triggerFile?: TriggerFile;
}

/** Used when a source flow endpoint is created without triggers: the names common clients use. */
export const DEFAULT_TEMP_FILE_PATTERNS = ['*.filepart', '*.tmp'];

export type FlowEndpointRole = 'source' | 'target';

export interface FlowEndpoint {
  id: string;
  flowId: string;
  orgId: string;
  endpointId: string;
  role: FlowEndpointRole;
  /** Folder inside the endpoint, absolute and normalized ("/" or "/in/partner-a"). */
  path: string;
  /** Source flow endpoints only. */
  triggers?: Triggers;
  /** Source flow endpoints only: delete the uploaded file once every delivery succeeded. */
  deleteSourceAfterDelivery?: boolean;
}

export interface Flow {
  id: string;
  orgId: string;
  name: string;
  enabled: boolean;
  sources: FlowEndpoint[];
  targets: FlowEndpoint[];
  createdAt: string;
  updatedAt: string;
}

export const PERMISSIONS = ['list', 'download', 'upload', 'overwrite', 'rename', 'delete', 'mkdir'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface PublicKeyRecord {
  /** "SHA256:<unpadded base64>" of the key blob, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The key type, e.g. "ssh-ed25519". */
  type: string;
  /** Base64 key blob. */
  blob: string;
  comment: string;
  addedAt: string;
}

export interface User {
  id: string;
  username: string;
  orgId: string;
  flowEndpointId: string;
  /** PHC string of a memory-hard KDF; never leaves the directory. */
  passwordHash?: string;
  publicKeys: PublicKeyRecord[];
  /** The user's root inside the flow endpoint's folder, absolute and normalized. */
  homeDirectory: string;
  permissions: Permission[];
  allowedCidrs: string[];
  enabled: boolean;
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
}

export const DELIVERY_STATUSES = ['queued', 'started', 'completed', 'error', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  targetFlowEndpointId: string;
  targetEndpointId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** Where the file was delivered (a storage key, a URL...). */
  location?: string;
  /** Which worker holds a `started` delivery, so another can take over a dead one. */
  claimedBy?: string;
}

/**
 * awaiting-trigger: a file arrived in a source folder without a completion signal yet.
 * waiting-for-data: a per-file trigger arrived before its data file (bounded wait).
 * active: complete; its deliveries carry their own status.
 * failed: could not be processed (the reason is in `error`).
 */
export const TRANSFER_STATES = ['awaiting-trigger', 'waiting-for-data', 'active', 'failed'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export type CompletionSignal = 'temp-rename' | 'per-file-trigger' | 'batch-trigger';

export interface Transfer {
  id: string;
  state: TransferState;
  /** How completion was signalled, and the trigger file to delete once delivered. */
  signal?: CompletionSignal;
  triggerKey?: string;
  /** Batch transfers: the semaphore is deleted when `batch.remaining` reaches 0 (kept on the first transfer). */
  batch?: { leaderId: string; remaining?: number };
  error?: string;
  /** Set once when every delivery completed and the follow-ups (trigger, source deletion) ran. */
  finishedAt?: string;
  orgId: string;
  flowId: string;
  sourceFlowEndpointId: string;
  endpointId: string;
  /** Path of the completed file inside the source endpoint. */
  path: string;
  size: number;
  sha256: string;
  user?: string;
  sourceIp?: string;
  receivedAt: string;
  deliveries: Delivery[];
  /** Optimistic-concurrency counter, bumped by every update. */
  version: number;
}

/**
 * A client address banned by the brute-force defence (src/core/brute-force.ts), or the
 * memory of its past bans. `ip` is the key it is kept under: an IPv4 address or an IPv6 /64.
 */
export interface Ban {
  ip: string;
  bannedAt: string;
  /** The ban is in force until then. */
  until: string;
  /** Bans of this address in a row, this one included: each lasts longer. */
  offences: number;
  /** The failure score that set it off. */
  score: number;
  /** Epoch seconds after which the record is forgotten, offences included (the DynamoDB TTL). */
  expiresAt: number;
}
