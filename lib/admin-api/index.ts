// The admin API on AWS: an API Gateway HTTP API with IAM authorization (callers sign
// requests with SigV4 and need execute-api:Invoke on it) in front of the same router
// the local server uses, running in a Lambda. The same Lambda serves the web console on
// GET /console and GET /console/{proxy+}, the only routes without authorization: a
// browser cannot sign the request for a page, and the page then signs its API calls.
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DirectoryTable } from '../directory-table/index.js';
import { ThruFunction } from '../function/index.js';
import { consoleBuildCommand } from './console-bundle.js';
import type { Storage } from '../storage/index.js';

export interface AdminApiProps {
  directory: DirectoryTable;
  storage: Storage;
  environment: Record<string, string>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

/** One JSON line per request; the identity fields say which IAM principal called. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    caller: '$context.identity.userArn',
    account: '$context.identity.accountId',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    bytes: '$context.responseLength',
    error: '$context.error.message',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export class AdminApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly handler: ThruFunction;
  /** Base URL; the API's routes start with /v1/. */
  readonly url: string;
  /** The web console's page. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.handler = new ThruFunction(this, 'Handler', {
      entry: 'lambdas/admin-api.ts',
      description: 'thru-sftp: admin API',
      environment: { ...props.environment, THRU_QUEUE_URL: props.storage.queue.queueUrl },
      timeout: Duration.seconds(29),
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      afterBundling: (outputDir) => [consoleBuildCommand(outputDir)],
    });
    const role = this.handler.role;
    props.directory.grantReadWrite(role);
    // POST /v1/transfers/{id}/retry queues the delivery again.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.storage.queue.queueArn] }));

    const router = new HttpLambdaIntegration('Router', this.handler.fn);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'thru-sftp admin API (IAM authorization)',
      defaultIntegration: router,
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: false,
    });
    // API Gateway matches /console/ on GET /console as well.
    const consoleRoutes = this.api.addRoutes({ path: '/console/{proxy+}', methods: [apigw.HttpMethod.GET], integration: router, authorizer: new apigw.HttpNoneAuthorizer() });
    consoleRoutes.push(...this.api.addRoutes({ path: '/console', methods: [apigw.HttpMethod.GET], integration: router, authorizer: new apigw.HttpNoneAuthorizer() }));
    for (const route of consoleRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The web console\'s static files (GET only) must load in a browser before anyone signs in; the page then signs every /v1/ call with SigV4, which the IAM-authorized $default route checks.',
      });
    }
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays, removalPolicy: props.removalPolicy });
    this.stage = new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    this.url = this.stage.url;
    this.consoleUrl = `${this.url}console/`;
  }
}
