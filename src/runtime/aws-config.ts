// Settings of the AWS runtime, from the environment the CDK app sets on the container
// and the Lambdas (lib/stacks/stateless-stack.ts). Each entry point reads only what it
// needs and fails at start, naming what is missing.
import { z } from 'zod';

const AwsSettings = z.object({
  THRU_BUCKET: z.string().min(3),
  THRU_BUCKET_PREFIX: z.string().optional(),
  THRU_TABLE: z.string().min(3),
  THRU_QUEUE_URL: z.string().url().optional(),
  THRU_IDENTITY_FUNCTION: z.string().min(1).optional(),
  THRU_HOST_KEY_SECRET: z.string().min(1).optional(),
  THRU_HOST_KEY_FINGERPRINTS: z.string().optional(),
  THRU_PUBLIC_HOST: z.string().min(1).optional(),
  THRU_PUBLIC_PORT: z.coerce.number().int().min(1).max(65535).default(22),
  THRU_TRANSFER_ROLE_ARN: z.string().optional(),
  /** Server-side encryption of objects we write: AES256 (the bucket default) or aws:kms. */
  THRU_SSE: z.enum(['AES256', 'aws:kms']).default('AES256'),
  THRU_SSE_KMS_KEY_ID: z.string().optional(),
  THRU_IDENTITY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  THRU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AWS_REGION: z.string().optional(),
});

export type AwsConfig = z.infer<typeof AwsSettings>;

export function loadAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const parsed = AwsSettings.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) throw new Error(`invalid AWS runtime settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A setting this entry point cannot run without. */
export function required<K extends keyof AwsConfig>(config: AwsConfig, key: K): NonNullable<AwsConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new Error(`${String(key)} must be set`);
  return value;
}
