// The directory's single DynamoDB table: key schema, item shapes and access patterns.
// The CDK stack mirrors directoryTableDefinition(); tests create it in dynalite.
//
// Attributes (all strings unless noted):
//   PK, SK          table key
//   GSI1PK, GSI1SK  the one global secondary index, "GSI1" (projection ALL): children by parent
//   kind            the record type, for humans and scans ("organization", "user"...)
//   rev             number: optimistic-concurrency counter, bumped by every write of the item
//   data            map: the domain record exactly as src/core/model.ts defines it
//   userId, claimedAt               username claim items only
//   flowId, endpointId              flow endpoint index items only
//   expiresAt       number, epoch seconds: the table's TTL attribute (ban and login failure items);
//                   readers treat an item past it as absent, since TTL deletes late (dynalite never)
//   offences        number, ban items: the conditional write of a new ban checks it
//   points          number, login failure items: added to atomically (UpdateItem ADD)
//
// Items and access patterns:
//   organization     PK ORG#<id>        SK ORG           GSI1PK ORGS            GSI1SK ORG#<id>
//   endpoint         PK EP#<id>         SK EP            GSI1PK ORG#<orgId>     GSI1SK EP#<id>
//   flow             PK FLOW#<id>       SK FLOW          GSI1PK ORG#<orgId>     GSI1SK FLOW#<id>
//   flow endpoint    PK FE#<feId>       SK EP#<endpointId> GSI1PK EP#<endpointId> GSI1SK FE#<feId>
//     (index item)   attributes flowId, endpointId, rev (the flow's rev that wrote it); no data
//   user             PK USER#<id>       SK USER          GSI1PK FE#<flowEndpointId> GSI1SK USER#<id>
//   username claim   PK USERNAME#<name> SK USERNAME      attributes userId, claimedAt; not in GSI1
//   transfer         PK TR#<id>         SK TR            GSI1PK FLOW#<flowId>   GSI1SK TR#<receivedAt>#<id>
//   ban              PK BAN#<ip>        SK BAN           GSI1PK BANS            GSI1SK BAN#<until>#<ip>
//   login failures   PK LOGINFAIL#<ip>  SK B#<bucket start, epoch seconds, 10 digits>; not in GSI1
//     (<ip> is a client key: an IPv4 address or an IPv6 /64, src/core/ip.ts)
//
//   get any record by id ................ GetItem PK=<TYPE>#<id>, SK=<TYPE> (consistent)
//   list organizations .................. Query GSI1 GSI1PK=ORGS, by id
//   endpoints / flows of an organization  Query GSI1 GSI1PK=ORG#<orgId>, GSI1SK begins_with EP# / FLOW#
//   users of a flow endpoint ............ Query GSI1 GSI1PK=FE#<feId>, GSI1SK begins_with USER#
//   user by username .................... GetItem USERNAME#<name> -> GetItem USER#<userId> (both consistent)
//   flow endpoint by id ................. Query PK=FE#<feId> (consistent) -> GetItem FLOW#<flowId>
//   flow endpoints on an endpoint ....... Query GSI1 GSI1PK=EP#<endpointId> -> BatchGetItem the flows
//   transfers of a flow, newest first ... Query GSI1 GSI1PK=FLOW#<flowId>, GSI1SK begins_with TR#, descending
//   ban of an address ................... GetItem BAN#<ip> (consistent): one read per accepted connection
//   bans in force, soonest to end first . Query GSI1 GSI1PK=BANS, GSI1SK > BAN#<now>
//   add a failed login .................. UpdateItem LOGINFAIL#<ip> B#<bucket>: ADD points, SET expiresAt
//                                         if_not_exists; then Query PK=LOGINFAIL#<ip>, SK >= B#<since>
//
// A flow item holds its flow endpoints (sources, targets): it is the truth. Flow endpoint
// index items only point at flows, and readers keep a flow endpoint only if its flow lists
// it, so an index item left by a failed or racing write is never seen (dynalite, like our
// tests, has no TransactWriteItems to write both at once). Timestamps are ISO-8601 UTC
// strings of one length, so their string order is their time order.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const GSI1 = 'GSI1';

export interface Key {
  PK: string;
  SK: string;
}

/** The table as CreateTable takes it: on-demand, one overloaded GSI projecting everything. */
export function directoryTableDefinition(tableName: string): CreateTableCommandInput & { TableName: string } {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
      { AttributeName: 'GSI1PK', AttributeType: 'S' },
      { AttributeName: 'GSI1SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Keys of records stored one item per record. */
export const recordKey = {
  organization: (id: string): Key => ({ PK: `ORG#${id}`, SK: 'ORG' }),
  endpoint: (id: string): Key => ({ PK: `EP#${id}`, SK: 'EP' }),
  flow: (id: string): Key => ({ PK: `FLOW#${id}`, SK: 'FLOW' }),
  user: (id: string): Key => ({ PK: `USER#${id}`, SK: 'USER' }),
  transfer: (id: string): Key => ({ PK: `TR#${id}`, SK: 'TR' }),
};

/**
 * Partition key prefixes of the brute-force defence's items: the only items the SFTP
 * front end writes (its IAM policy allows writes to these partitions only).
 */
export const LOGIN_DEFENCE_PARTITION_PREFIXES = ['BAN#', 'LOGINFAIL#'] as const;
const [BAN, LOGINFAIL] = LOGIN_DEFENCE_PARTITION_PREFIXES;

export const banKey = (ip: string): Key => ({ PK: `${BAN}${ip}`, SK: 'BAN' });
export const bansIndex = { partition: 'BANS', prefix: 'BAN#' };

export const loginFailurePartition = (ip: string) => `${LOGINFAIL}${ip}`;
/** Bucket starts as fixed-width decimals, so that their string order is their time order. */
export const loginFailureSortKey = (bucket: number) => `B#${String(Math.max(0, Math.floor(bucket))).padStart(10, '0')}`;

export const usernameKey = (username: string): Key => ({ PK: `USERNAME#${username}`, SK: 'USERNAME' });

export const flowEndpointIndexKey = (flowEndpointId: string, endpointId: string): Key => ({ PK: `FE#${flowEndpointId}`, SK: `EP#${endpointId}` });
export const flowEndpointIndexPartition = (flowEndpointId: string) => `FE#${flowEndpointId}`;

/** GSI1 partitions and sort-key prefixes: a child's GSI1SK is <prefix><its sort value>. */
export const children = {
  organizations: { partition: () => 'ORGS', prefix: 'ORG#' },
  endpointsOfOrg: { partition: (orgId: string) => `ORG#${orgId}`, prefix: 'EP#' },
  flowsOfOrg: { partition: (orgId: string) => `ORG#${orgId}`, prefix: 'FLOW#' },
  usersOfFlowEndpoint: { partition: (flowEndpointId: string) => `FE#${flowEndpointId}`, prefix: 'USER#' },
  flowEndpointsOnEndpoint: { partition: (endpointId: string) => `EP#${endpointId}`, prefix: 'FE#' },
  transfersOfFlow: { partition: (flowId: string) => `FLOW#${flowId}`, prefix: 'TR#' },
};
