// The S3 client the adapter expects: timeouts that fail a silent request instead of
// hanging an upload, and retries with backoff (every request the adapter sends can be
// sent again: bodies are buffers, never half-read streams).
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  region?: string;
  /** A custom endpoint (s3rver, MinIO); with forcePathStyle for those. */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig['credentials'];
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** A connection silent this long fails the request, then retried (default 60 s). */
  socketTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /**
   * Flexible checksums (CRC32) on requests and responses: on for AWS (default), off for
   * s3rver, which stores aws-chunked bodies framing and all.
   */
  checksums?: boolean;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const checksums = options.checksums ?? true;
  return new S3Client({
    ...(options.region && { region: options.region }),
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.credentials && { credentials: options.credentials }),
    forcePathStyle: options.forcePathStyle ?? false,
    maxAttempts: options.maxAttempts ?? 5,
    // requestTimeout only logs a warning in this SDK; an idle socket fails the request.
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5_000, socketTimeout: options.socketTimeoutMs ?? 60_000 },
    requestChecksumCalculation: checksums ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    responseChecksumValidation: checksums ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
  });
}
