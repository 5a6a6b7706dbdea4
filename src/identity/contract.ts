// The identity Lambda's request and response: a superset of AWS Transfer Family's
// custom identity provider contract, so one function serves our Fargate front end and,
// unchanged, a Transfer Family server.
//
// Transfer Family sends {username, password, protocol, serverId, sourceIp}, with an
// empty password for a key login, and expects {Role, HomeDirectoryType: "LOGICAL",
// HomeDirectoryDetails: "<JSON string>", PublicKeys? (key logins only), Policy?}, or {}
// to refuse. We add `thruMethod` to requests (so an empty *password* is not taken for a
// key login) and `ThruPrincipal` to responses (what our front end's session needs). A
// refusal of a request that carries `thruMethod` (our front end's, never Transfer
// Family's) also says why in `ThruRefusal`, so brute-force scoring can tell an unknown
// user (2 points) from a wrong password (1) on AWS as it does locally.
import { z } from 'zod';
import { PERMISSIONS } from '../core/model.js';
import type { LoginRefusal } from '../core/identity.js';

export const IdentityRequest = z.object({
  username: z.string().min(1).max(256),
  password: z.string().max(1024).optional(),
  protocol: z.enum(['SFTP', 'FTP', 'FTPS', 'AS2']).default('SFTP'),
  serverId: z.string().max(256).default('thru-sftp'),
  sourceIp: z.string().min(1).max(64),
  /** Ours: which method the client used. Absent from Transfer Family's requests. */
  thruMethod: z.enum(['password', 'publickey']).optional(),
});
export type IdentityRequest = z.input<typeof IdentityRequest>;

export const ThruPrincipal = z.object({
  userId: z.string(),
  username: z.string(),
  orgId: z.string(),
  endpointId: z.string(),
  flowEndpointId: z.string(),
  rootKey: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  idleTimeoutSeconds: z.number().int().positive(),
  tempFilePatterns: z.array(z.string()),
  /** Fingerprints and blobs of the keys in PublicKeys, in the same order. */
  publicKeys: z.array(z.object({ fingerprint: z.string(), type: z.string(), blob: z.string() })).default([]),
});
export type ThruPrincipal = z.infer<typeof ThruPrincipal>;

export const IdentityResponse = z.object({
  Role: z.string().optional(),
  HomeDirectoryType: z.literal('LOGICAL'),
  HomeDirectoryDetails: z.string(),
  PublicKeys: z.array(z.string()).optional(),
  Policy: z.string().optional(),
  ThruPrincipal,
});
export type IdentityResponse = z.infer<typeof IdentityResponse>;

/** What a refusal looks like on the wire: `{}` for Transfer Family, with the reason for us. */
export type Refusal = Record<string, never> | { ThruRefusal: LoginRefusal };

/** The reason in a refusal, when the function gave one. */
export const RefusalReason = z.object({ ThruRefusal: z.string().min(1).max(64) }).strict();
