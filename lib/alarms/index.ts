// What pages an operator: post-upload records in the dead-letter queue, a spike of
// failed SFTP logins, admin API 5xx answers, fewer healthy SFTP tasks than the
// minimum (Fargate front end), and identity Lambda errors (logins fail while it fails). Every alarm
// notifies one SNS topic; `alarmEmail` subscribes an address to it.
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const METRIC_NAMESPACE = 'ThruSftp';

/** The SFTP front end logs one JSON line with "activity-type": "AUTH_FAILURE" per refused login. */
export const AUTH_FAILURE_PATTERN = logs.FilterPattern.stringValue('$.activity-type', '=', 'AUTH_FAILURE');

export interface AlarmsProps {
  stage: string;
  deadLetterQueue: sqs.IQueue;
  /** The front end's JSON log (our service's, or Transfer Family's structured log). */
  serviceLogGroup: logs.ILogGroup;
  /** Fargate front end only: healthy tasks behind the NLB, and how many there must be. */
  tasks?: { targetGroup: elbv2.NetworkTargetGroup; min: number };
  api: apigw.HttpStage;
  identityFunction: lambda.IFunction;
  failedLoginThreshold: number;
  email?: string;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: `thru-sftp ${props.stage} alarms`, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    this.add('DeadLetters', {
      alarmDescription: 'Post-upload records failed every retry and sit in the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const failedLogins = new logs.MetricFilter(this, 'FailedLoginsFilter', {
      logGroup: props.serviceLogGroup,
      filterPattern: AUTH_FAILURE_PATTERN,
      metricNamespace: METRIC_NAMESPACE,
      metricName: `FailedLogins-${props.stage}`,
      metricValue: '1',
      defaultValue: 0,
    });
    this.add('FailedLogins', {
      alarmDescription: `More than ${props.failedLoginThreshold} failed SFTP logins in 5 minutes (password guessing?).`,
      metric: failedLogins.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: props.failedLoginThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.add('Api5xx', {
      alarmDescription: 'The admin API answered with a server error.',
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.tasks) {
      this.add('RunningTasks', {
        alarmDescription: `Fewer than ${props.tasks.min} healthy SFTP tasks behind the load balancer for 3 minutes.`,
        metric: props.tasks.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' }),
        threshold: props.tasks.min,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data means no healthy target reported at all.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    this.add('IdentityErrors', {
      alarmDescription: 'The identity Lambda failed: SFTP logins are refused while it does.',
      metric: props.identityFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private add(id: string, props: cloudwatch.AlarmProps): void {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
