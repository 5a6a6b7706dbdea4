// What the admin API returns (its OpenAPI document, /v1/openapi.json), on top of the
// domain records of src/core/model.ts, which the console shares with the server.
import type { EndpointType, Permission, Transfer as TransferRecord } from '../../core/model.js';

export type { Delivery, DeliveryStatus, EndpointType, Flow, FlowEndpoint, Organization, Permission, TransferState, TriggerFile, Triggers } from '../../core/model.js';

export interface Endpoint {
  id: string;
  orgId: string;
  name: string;
  type: EndpointType;
  description: string;
  /** Per type: idleTimeoutSeconds | bucket, prefix | url (the secret is write-only) | path. */
  config: { idleTimeoutSeconds?: number; bucket?: string; prefix?: string; url?: string; path?: string };
  /** thru-sftp-server only: what partners connect to and the host key they should see. */
  publicUrl?: string;
  hostKeyFingerprints?: string[];
  createdAt: string;
  updatedAt: string;
}

export interface PublicKey {
  fingerprint: string;
  type: string;
  comment: string;
  addedAt: string;
  publicKey: string;
}

/** Never carries a password or its hash: `hasPassword` says whether one is set. */
export interface User {
  id: string;
  username: string;
  orgId: string;
  flowEndpointId: string;
  hasPassword: boolean;
  publicKeys: PublicKey[];
  homeDirectory: string;
  permissions: Permission[];
  allowedCidrs: string[];
  enabled: boolean;
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type Transfer = Omit<TransferRecord, 'version'>;
