// The directory (organizations, endpoints, flows, users, transfers): one on-demand
// DynamoDB table with point-in-time recovery, laid out by DIRECTORY_TABLE_SCHEMA.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DIRECTORY_TABLE_SCHEMA as schema } from './schema.js';

export { DIRECTORY_TABLE_SCHEMA } from './schema.js';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

export interface DirectoryTableProps {
  /** Keep the table when the stack is deleted, and turn on deletion protection. */
  retain: boolean;
}

export class DirectoryTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DirectoryTableProps) {
    super(scope, id);
    const str = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: str(schema.partitionKey),
      sortKey: str(schema.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: schema.ttlAttribute,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of schema.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: str(gsi.partitionKey),
        sortKey: str(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Item reads on the table and its named indexes (no Scan). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: this.arns() });
  }

  /** Item reads and writes (no Scan, no table management). */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...READ_ACTIONS, ...WRITE_ACTIONS], resourceArns: this.arns() });
  }

  /**
   * Writes of the brute-force defence's items only (bans, login failure scores): the SFTP
   * front end's one need to write, held to those partitions by dynamodb:LeadingKeys.
   */
  grantLoginDefenceWrites(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': schema.loginDefencePartitionPrefixes.map((p) => `${p}*`) } },
    });
  }

  /** The table and each index by name: no wildcard resource. */
  private arns(): string[] {
    return [this.table.tableArn, ...schema.globalSecondaryIndexes.map((g) => `${this.table.tableArn}/index/${g.indexName}`)];
  }
}
