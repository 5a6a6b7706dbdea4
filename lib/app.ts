// Builds the whole deployment of one stage into a CDK app: the stateful and the
// stateless stack, tags, and the cdk-nag AwsSolutions checks (unacknowledged
// findings fail synth). bin/cdk.ts and the tests both build the app through here.
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, resolveStageConfig, type StageConfig } from './config.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

export interface ThruSftpStacks {
  config: StageConfig;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/** Reads `-c stage=...` and the `thru-sftp` context of cdk.json from the app. */
export function stageConfigOf(app: App): StageConfig {
  return resolveStageConfig(app.node.tryGetContext('stage') as string | undefined, app.node.tryGetContext(CONFIG_CONTEXT_KEY));
}

export function buildThruSftp(app: App, config: StageConfig = stageConfigOf(app)): ThruSftpStacks {
  const prefix = `thru-sftp-${config.stage}`;
  // No `env`: the stacks are environment-agnostic, so synth needs no AWS account;
  // `cdk deploy` takes account and region from the caller's credentials.
  const stateful = new StatefulStack(app, `${prefix}-stateful`, {
    config,
    description: `thru-sftp ${config.stage}: files bucket, upload event queue, directory table, host key`,
    terminationProtection: config.retainData,
  });
  const stateless = new StatelessStack(app, `${prefix}-stateless`, {
    config,
    data: stateful,
    description: `thru-sftp ${config.stage}: ${config.frontEnd === 'transfer-family' ? 'SFTP on AWS Transfer Family' : 'VPC, SFTP service (Fargate + NLB)'}, Lambdas, admin API, alarms`,
  });
  stateless.addStackDependency(stateful);
  Tags.of(app).add('project', 'thru-sftp');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, stateful, stateless };
}
