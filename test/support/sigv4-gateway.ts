// A stand-in for API Gateway's IAM authorization, for testing SigV4 clients (the console
// on AWS) without an AWS account: it recomputes each request's signature with the same
// signer the SDK uses, from what actually arrived (method, host, path, query, the signed
// headers, the body's hash) and the secret of the key the request names. Refusals look
// like API Gateway's: 403 with {"message"} and x-amzn-ErrorType. Used as the admin app's
// `auth`, as API Gateway's $default route stands in front of /v1/ on AWS.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { MiddlewareHandler } from 'hono';
import type { AdminEnv } from '../../src/admin/env.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: the token the request must carry (x-amz-security-token). */
  sessionToken?: string;
  /** The principal the audit log names. */
  arn: string;
}

export interface Verdict {
  method: string;
  path: string;
  accessKeyId?: string;
  /** null: accepted. */
  refused: string | null;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
// Headers the signer derives from the credentials, the date and the body: recomputed, never trusted.
const DERIVED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);
const MAX_SKEW_MS = 5 * 60_000;
const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

export const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

export class SigV4Gateway {
  readonly verdicts: Verdict[] = [];
  private readonly keys = new Map<string, AccessKey>();

  constructor(
    readonly region: string,
    keys: AccessKey[],
  ) {
    for (const k of keys) this.keys.set(k.accessKeyId, k);
  }

  /** The key stops working (an expired session, a deleted access key). */
  revoke(accessKeyId: string): void {
    this.keys.delete(accessKeyId);
  }

  readonly auth: MiddlewareHandler<AdminEnv> = async (c, next) => {
    const url = new URL(c.req.url);
    const verdict: Verdict = { method: c.req.method, path: url.pathname, refused: null };
    this.verdicts.push(verdict);
    const refuse = (type: string, message: string) => {
      verdict.refused = message;
      c.header('x-amzn-ErrorType', type);
      return c.json({ message }, 403);
    };

    const header = c.req.header('authorization');
    if (!header) return refuse('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const m = AUTHORIZATION.exec(header);
    if (!m) return refuse('IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.`);
    const [, accessKeyId, day, region, service, signedHeaders] = m as unknown as [string, string, string, string, string, string];
    verdict.accessKeyId = accessKeyId;
    const key = this.keys.get(accessKeyId);
    if (!key) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (region !== this.region || service !== 'execute-api') return refuse('InvalidSignatureException', `Credential should be scoped to a valid region and to execute-api, not ${region}/${service}.`);
    const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(c.req.header('x-amz-date') ?? '');
    if (!stamp || !stamp[0].startsWith(day)) return refuse('IncompleteSignatureException', 'The request must carry an X-Amz-Date matching the credential scope.');
    const signingDate = new Date(Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!));
    const now = Date.now();
    if (signingDate.getTime() < now - MAX_SKEW_MS) return refuse('InvalidSignatureException', `Signature expired: ${stamp[0]} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`);
    if (signingDate.getTime() > now + MAX_SKEW_MS) return refuse('InvalidSignatureException', `Signature not yet current: ${stamp[0]} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`);

    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) if (!DERIVED.has(name)) headers[name] = c.req.header(name) ?? '';
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.text();
    const signer = new SignatureV4({
      service: 'execute-api',
      region: this.region,
      credentials: { accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
      sha256: Hash.bind(null, 'sha256'),
    });
    const expected = await signer.sign(
      { method: c.req.method, protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body },
      { signingDate },
    );
    if (expected.headers.authorization !== header) return refuse('InvalidSignatureException', MISMATCH);
    c.set('actor', key.arn);
    await next();
  };
}
