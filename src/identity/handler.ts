// The identity function: one login attempt in, Transfer Family's answer out. No AWS SDK
// here; lambdas/identity.ts composes it with the DynamoDB directory.
import type { IdentityProvider, LoginRefusal, Principal } from '../core/identity.js';
import type { Log } from '../core/ports/logger.js';
import type { PublicKeyRecord } from '../core/model.js';
import { IdentityRequest, type IdentityResponse, type Refusal } from './contract.js';

export interface IdentityHandlerOptions {
  identity: IdentityProvider;
  /** The bucket holding every endpoint's files (Transfer Family maps "/" into it). */
  bucket: string;
  /** Optional key prefix inside the bucket. */
  prefix?: string;
  /** IAM role Transfer Family assumes for the session (Transfer Family front end only). */
  roleArn?: string;
  log: Log;
}

/** A session policy scoping Transfer Family to the user's folder and permissions. */
function sessionPolicy(bucket: string, folder: string, p: Principal): string {
  const objects = `arn:aws:s3:::${bucket}/${folder}/*`;
  const actions: string[] = [];
  if (p.permissions.includes('download')) actions.push('s3:GetObject', 's3:GetObjectVersion');
  if (p.permissions.includes('upload') || p.permissions.includes('mkdir')) actions.push('s3:PutObject', 's3:AbortMultipartUpload');
  if (p.permissions.includes('delete') || p.permissions.includes('rename')) actions.push('s3:DeleteObject', 's3:DeleteObjectVersion');
  const statements: object[] = [
    {
      Sid: 'ListHome',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': [`${folder}/*`, folder] } },
    },
  ];
  if (actions.length > 0) statements.push({ Sid: 'HomeObjects', Effect: 'Allow', Action: actions, Resource: objects });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const keyLine = (k: PublicKeyRecord) => `${k.type} ${k.blob}`;

export function createIdentityHandler(options: IdentityHandlerOptions): (event: unknown) => Promise<IdentityResponse | Refusal> {
  return async (event) => {
    const parsed = IdentityRequest.safeParse(event);
    if (!parsed.success) {
      options.log.warn({ issues: parsed.error.issues.map((i) => i.path.join('.')) }, 'malformed identity request refused');
      return {};
    }
    const req = parsed.data;
    if (req.protocol !== 'SFTP') return {};
    // Transfer Family's convention: an empty password means a key login.
    const method = req.thruMethod ?? (req.password ? 'password' : 'publickey');
    // Transfer Family gets the bare {} it expects; our front end, which asked with thruMethod, the reason.
    const refuse = (reason: LoginRefusal): Refusal => (req.thruMethod ? { ThruRefusal: reason } : {});
    if (method === 'password' && !req.password) {
      options.log.info({ user: req.username, sourceIp: req.sourceIp, reason: 'empty_password' }, 'login refused');
      return refuse('bad_password');
    }
    const decision = await options.identity.authenticate({
      username: req.username,
      sourceIp: req.sourceIp,
      password: method === 'password' ? req.password : undefined,
    });
    if (!decision.ok) {
      options.log.info({ user: req.username, sourceIp: req.sourceIp, method, reason: decision.reason, serverId: req.serverId }, 'login refused');
      return refuse(decision.reason);
    }
    const p = decision.principal;
    const folder = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/${p.rootKey}` : p.rootKey;
    const response: IdentityResponse = {
      HomeDirectoryType: 'LOGICAL',
      HomeDirectoryDetails: JSON.stringify([{ Entry: '/', Target: `/${options.bucket}/${folder}` }]),
      Policy: sessionPolicy(options.bucket, folder, p),
      ThruPrincipal: { ...p, publicKeys: decision.publicKeys.map((k) => ({ fingerprint: k.fingerprint, type: k.type, blob: k.blob })) },
    };
    if (options.roleArn) response.Role = options.roleArn;
    if (method === 'publickey') response.PublicKeys = decision.publicKeys.map(keyLine);
    return response;
  };
}
