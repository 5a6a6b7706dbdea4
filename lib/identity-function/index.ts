// The identity Lambda: checks a password or public key against the directory and
// answers with the user's home mapping and limits. The Fargate front end invokes it
// for every login; its contract is a superset of AWS Transfer Family's custom
// identity provider, so a Transfer Family server can use it too (issue 10).
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { DirectoryTable } from '../directory-table/index.js';
import { ThruFunction } from '../function/index.js';

export interface IdentityFunctionProps {
  directory: DirectoryTable;
  environment: Record<string, string>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

export class IdentityFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly handler: ThruFunction;

  constructor(scope: Construct, id: string, props: IdentityFunctionProps) {
    super(scope, id);
    this.handler = new ThruFunction(this, 'Handler', {
      entry: 'lambdas/identity.ts',
      description: 'thru-sftp: authenticates SFTP logins against the directory',
      environment: props.environment,
      // scrypt is CPU-bound: Lambda CPU grows with memory, and a login waits on it.
      memorySize: 1024,
      timeout: Duration.seconds(10),
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.fn = this.handler.fn;
    props.directory.grantRead(this.handler.role);
  }
}
