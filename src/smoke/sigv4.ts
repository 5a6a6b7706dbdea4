// Admin API requests signed for API Gateway's IAM authorization (SigV4, service
// execute-api) with the SDK's signer and the default credential chain (environment,
// profile, SSO, instance or task role).
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RequestAuth } from '../cli/client.js';

/** The region of an execute-api URL (https://abc123.execute-api.eu-west-1.amazonaws.com/). */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(url).hostname)?.[1];
}

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export function sigV4Auth(options: { region: string; credentials?: Credentials }): RequestAuth {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Hash.bind(null, 'sha256'),
  });
  return async ({ method, url, headers, body }) => {
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    // fetch sets Host itself.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
}
