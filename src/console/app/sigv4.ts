// SigV4 signatures for the admin API on AWS (API Gateway's IAM authorization, service
// execute-api), made in the browser by the SDK's signer. Loaded only in that mode, as its
// own chunk. The browser sets Host itself: it is signed but not passed to fetch.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './session.js';

export async function signedHeaders(
  credentials: AwsCredentials,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signingDate: Date,
): Promise<Record<string, string>> {
  const { accessKeyId, secretAccessKey, sessionToken, region } = credentials;
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: { accessKeyId, secretAccessKey, sessionToken }, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    },
    { signingDate },
  );
  const { host: _host, ...rest } = signed.headers;
  return rest;
}
