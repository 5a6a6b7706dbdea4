// s3rver (the fake S3 of tests and `npm run sim`) reads x-amz-copy-source with
// decodeURI, so a key escaped the way real S3 expects (encodeURIComponent per segment,
// "+" as %2B) is not found. This client middleware re-escapes the header the way
// s3rver decodes it. Never add it to a client that talks to real S3.
import type { S3Client } from '@aws-sdk/client-s3';

export function useS3rverCopySourceEncoding(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { CopySource?: unknown };
      if (typeof input.CopySource === 'string') input.CopySource = encodeURI(decodeURIComponent(input.CopySource));
      return next(args);
    },
    { step: 'initialize', name: 's3rverCopySourceEncoding' },
  );
}
