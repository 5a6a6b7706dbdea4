// The project's Lambda function: Node 22 on ARM64, X-Ray tracing, its own log group
// with retention, its own role (no AWS managed policy), and an esbuild bundle built
// on this machine (no Docker). Every Lambda of the app is one of these.
import type { RemovalPolicy} from 'aws-cdk-lib';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPO_ROOT, repoPath } from '../paths.js';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

export interface ThruFunctionProps {
  /** Handler module, relative to the repository root (exports `handler`). */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** Shell commands that add files to the bundle (run in the repository root, locally). */
  afterBundling?: (outputDir: string) => string[];
}

export class ThruFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ThruFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays, removalPolicy: props.removalPolicy });
    // Our own role instead of AWSLambdaBasicExecutionRole: writes to this log group only.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: repoPath(props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into an ES module still use require() and __dirname (ssh2 does).
        banner: [
          "import { createRequire as __thruRequire } from 'node:module';",
          "import { fileURLToPath as __thruPath } from 'node:url';",
          "import { dirname as __thruDirname } from 'node:path';",
          'const require = __thruRequire(import.meta.url);',
          'const __filename = __thruPath(import.meta.url);',
          'const __dirname = __thruDirname(__filename);',
        ].join(' '),
        // The SDK is bundled so the code runs against the versions it was tested with.
        bundleAwsSDK: true,
        // ssh2's optional native addons: absent in the bundle, ssh2 falls back to JS.
        externalModules: ['cpu-features', '*.node'],
        ...(props.afterBundling
          ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: (_in: string, out: string) => props.afterBundling!(out) } }
          : {}),
      },
    });

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Issue 6 asks for the Node 22 runtime (the code supports Node >= 20.6); LAMBDA_RUNTIME is the one place to move it to 24.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
