// s3rver, a fake S3 speaking the wire protocol, on an ephemeral port in a temporary
// folder with one bucket, and an S3 client configured for it. Its 'event' emitter
// gives S3-shaped event records (keys not URL-encoded), as `npm run sim` uses them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client, type S3ClientOptions } from '../../src/adapters/aws/s3-client.js';
import { useS3rverCopySourceEncoding } from '../../src/adapters/aws/s3rver-compat.js';

export interface S3rverHandle {
  server: S3rver;
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** Another client for this s3rver (or for a proxy in front of it: pass `endpoint`). */
  newClient(overrides?: S3ClientOptions): S3Client;
  stop(): Promise<void>;
}

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'thru-test';
  const directory = await mkdtemp(join(tmpdir(), 'thru-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const newClient = (overrides: S3ClientOptions = {}) => {
    const client = createS3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // Otherwise streamed bodies are stored with their aws-chunked framing inside
      // (requestChecksumCalculation and responseChecksumValidation 'WHEN_REQUIRED').
      checksums: false,
      ...overrides,
    });
    useS3rverCopySourceEncoding(client);
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    server,
    endpoint,
    bucket,
    client,
    newClient,
    async stop() {
      for (const c of clients) c.destroy();
      // Keep-alive sockets would hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
