// Per-stage settings of the CDK app: defaults in code, overrides from cdk.json context
// (`"thru-sftp": {"prod": {...}}`) or the command line (`-c stage=prod`). Validated
// with zod so a typo in cdk.json fails synth with a clear message instead of
// deploying something unexpected.
import { z } from 'zod';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Context key holding per-stage overrides in cdk.json. */
export const CONFIG_CONTEXT_KEY = 'thru-sftp';

const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR such as 203.0.113.0/24');

const StageConfigSchema = z
  .object({
    /** CPU architecture of the Fargate tasks and of the image built for them. */
    architecture: z.enum(['arm64', 'x86_64']),
    /**
     * The SFTP front end: our server on Fargate behind an NLB, or an AWS Transfer Family
     * server calling the same identity Lambda (README: what differs, what it costs).
     * With 'transfer-family' the Fargate settings (architecture, tasks, scaling,
     * drainSeconds) are unused.
     */
    frontEnd: z.enum(['fargate', 'transfer-family']),
    tasks: z
      .object({
        /** Never fewer than 2: a deploy or an AZ outage must not take SFTP down. */
        min: z.number().int().min(2),
        max: z.number().int().min(2),
        /** Fargate CPU units (256 = 0.25 vCPU) and memory (MiB); a valid Fargate pair. */
        cpu: z.number().int().min(256),
        memoryMiB: z.number().int().min(512),
      })
      .refine((t) => t.max >= t.min, 'tasks.max must be >= tasks.min'),
    scaling: z.object({
      /** Average CPU the service keeps its tasks at. */
      cpuTargetPercent: z.number().min(10).max(90),
      /** Open SFTP connections per task above which one task is added. */
      connectionsPerTask: z.number().int().min(1),
    }),
    /**
     * Run the tasks on Fargate Spot (about 70% cheaper; AWS may reclaim a task with two
     * minutes' notice, which the service drains like a deploy). Off by default: with it,
     * the idle cost of a stage drops from about $48 to about $38 a month (README).
     */
    fargateSpot: z.boolean(),
    /**
     * How long a task that is being replaced keeps serving its open connections
     * before ECS stops it (NLB deregistration delay, 0-3600 s).
     */
    drainSeconds: z.number().int().min(0).max(3600),
    /** Who may reach port 22 (the NLB's security group). Per-user CIDRs are enforced by the service. */
    sftpIngressCidrs: z.array(cidr).min(1),
    /** One Elastic IP per AZ on the NLB, so partners can allow-list fixed addresses. */
    elasticIps: z.boolean(),
    /** A Route 53 name for the service; becomes THRU_PUBLIC_HOST. */
    customDomain: z
      .object({ name: z.string().min(1), hostedZoneId: z.string().min(1), zoneName: z.string().min(1) })
      .optional(),
    bucketVersioning: z.boolean(),
    /** Days before an incomplete multipart upload is aborted and its parts deleted. */
    abortIncompleteUploadsAfterDays: z.number().int().min(1),
    logRetentionDays: z.number().int().min(1),
    /** Keep data (bucket, table, secret, Elastic IPs, logs) when a stack is deleted; table deletion protection. */
    retainData: z.boolean(),
    /** Container Insights metrics (about $5-10/month extra for a small cluster). */
    containerInsights: z.boolean(),
    /** VPC flow logs to CloudWatch Logs. */
    flowLogs: z.boolean(),
    /** Address that receives alarm notifications (SNS e-mail subscription). */
    alarmEmail: z.string().email().optional(),
    /** Failed logins per 5 minutes that raise the failed-login alarm. */
    failedLoginAlarmThreshold: z.number().int().min(1),
    /** Buckets that `s3` delivery endpoints may write to (the post-upload Lambda's PutObject grant). */
    deliveryBuckets: z.array(z.string().min(3)),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.frontEnd !== 'transfer-family') return;
    // A PUBLIC Transfer Family endpoint has neither security group nor Elastic IPs; a
    // VPC endpoint would (and costs a VPC with interface endpoints): not built yet.
    if (c.elasticIps) ctx.addIssue({ code: 'custom', path: ['elasticIps'], message: 'elasticIps is not available with frontEnd "transfer-family" (its public endpoint has AWS-managed addresses)' });
    if (c.sftpIngressCidrs.join() !== '0.0.0.0/0') {
      ctx.addIssue({ code: 'custom', path: ['sftpIngressCidrs'], message: 'sftpIngressCidrs is not available with frontEnd "transfer-family" (its public endpoint has no security group); per-user allowedCidrs still apply' });
    }
  });

export type StageConfig = z.infer<typeof StageConfigSchema> & { stage: Stage };

const common: z.infer<typeof StageConfigSchema> = {
  architecture: 'arm64',
  frontEnd: 'fargate',
  tasks: { min: 2, max: 6, cpu: 256, memoryMiB: 512 },
  scaling: { cpuTargetPercent: 60, connectionsPerTask: 200 },
  drainSeconds: 300,
  fargateSpot: false,
  sftpIngressCidrs: ['0.0.0.0/0'],
  elasticIps: false,
  bucketVersioning: false,
  abortIncompleteUploadsAfterDays: 7,
  logRetentionDays: 30,
  retainData: false,
  containerInsights: false,
  flowLogs: true,
  failedLoginAlarmThreshold: 50,
  deliveryBuckets: [],
};

export const DEFAULTS: Record<Stage, z.infer<typeof StageConfigSchema>> = {
  dev: common,
  prod: {
    ...common,
    tasks: { ...common.tasks, max: 10 },
    // Long uploads finish before a task is replaced; deploys wait up to this long.
    drainSeconds: 1800,
    bucketVersioning: true,
    logRetentionDays: 365,
    retainData: true,
  },
};

/** Deep-merges plain objects; arrays and scalars from `override` replace. */
function merge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = merge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The settings of one stage: code defaults, then cdk.json's overrides for that stage.
 * `overrides` is the value of the `thru-sftp` context key.
 */
export function resolveStageConfig(stage: string | undefined, overrides: unknown): StageConfig {
  const name = stage ?? 'dev';
  if (!(STAGES as readonly string[]).includes(name)) {
    throw new Error(`unknown stage "${name}": use -c stage=${STAGES.join('|')}`);
  }
  const s = name as Stage;
  const perStage = isPlainObject(overrides) ? overrides[s] : undefined;
  const parsed = StageConfigSchema.safeParse(merge(DEFAULTS[s], perStage));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid "${CONFIG_CONTEXT_KEY}.${s}" settings in cdk.json: ${problems}`);
  }
  return { ...parsed.data, stage: s };
}
