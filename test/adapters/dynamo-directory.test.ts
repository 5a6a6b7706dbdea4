// The DynamoDB directory beyond the contract: the items it leaves in the table, the paths
// where a fault between two writes could leave something half-done, DynamoDB's own
// limits (1 MB pages, partial batches, item size) and error translation. dynalite
// produces what it can; faults it cannot are injected as SDK middleware.
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory, type DynamoDirectoryOptions } from '../../src/adapters/aws/dynamo-directory.js';
import { isCoreError, type CoreErrorCode } from '../../src/core/errors.js';
import { aFlow, aTarget, aUser, allPages, anEndpoint, anOrg } from '../contract/directory-fixtures.js';
import { injectFaults, onItem, onItems, type Faults } from '../support/dynamo-faults.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';

let dynamo: Dynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const LEASE_MS = 60_000;

interface Setup {
  dir: DynamoDirectory;
  tableName: string;
  faults: Faults;
  clock: { now: () => Date; advance(ms: number): void };
  cleanupErrors: string[];
  /** Every item in the table, as [PK, SK] pairs, sorted. */
  keys: () => Promise<string[][]>;
}

/** A fresh table and a directory on its own client, with faults and a clock the test drives. */
async function setup(options: Partial<DynamoDirectoryOptions> = {}): Promise<Setup> {
  const tableName = await dynamo.createTable();
  const client = dynamo.newClient({ maxAttempts: 1 });
  const faults = injectFaults(client);
  let now = Date.parse('2025-06-01T00:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const cleanupErrors: string[] = [];
  const dir = new DynamoDirectory({
    client,
    tableName,
    clock,
    usernameLeaseMs: LEASE_MS,
    onCleanupError: (_err, what) => cleanupErrors.push(what),
    ...options,
  });
  return { dir, tableName, faults, clock, cleanupErrors, keys: () => tableKeys(dynamo.client, tableName) };
}

async function tableKeys(client: DynamoDBDocumentClient, tableName: string): Promise<string[][]> {
  const out = await client.send(new ScanCommand({ TableName: tableName }));
  return (out.Items ?? []).map((i) => [String(i.PK), String(i.SK)]).sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1));
}

const keyList = (...pairs: [string, string][]) => pairs.sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}
async function expectCode(promise: Promise<unknown>, code: CoreErrorCode) {
  const err = await rejection(promise);
  expect(isCoreError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

const outage = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('the items in the table', () => {
  it('holds exactly one item per record plus username claims and flow endpoint index items', async () => {
    const { dir, keys } = await setup();
    const org = anOrg();
    await dir.organizations.create(org);
    const sftp = anEndpoint(org.id);
    const out = anEndpoint(org.id);
    await dir.endpoints.create(sftp);
    await dir.endpoints.create(out);
    const flow = aFlow(org.id, sftp.id, [out.id]);
    const [source, target] = [flow.sources[0]!, flow.targets[0]!];
    await dir.flows.create(flow);
    const user = aUser(source, { username: 'alice' });
    await dir.users.create(user);

    expect(await keys()).toEqual(
      keyList(
        [`ORG#${org.id}`, 'ORG'],
        [`EP#${sftp.id}`, 'EP'],
        [`EP#${out.id}`, 'EP'],
        [`FLOW#${flow.id}`, 'FLOW'],
        [`FE#${source.id}`, `EP#${sftp.id}`],
        [`FE#${target.id}`, `EP#${out.id}`],
        [`USER#${user.id}`, 'USER'],
        ['USERNAME#alice', 'USERNAME'],
      ),
    );

    // Refused duplicates leave nothing behind: a flow with the same id (its flow endpoints
    // elsewhere, plus a new one) and a user with a taken username.
    const dup = aFlow(org.id, out.id, [sftp.id], { id: flow.id });
    dup.sources.push({ ...source, endpointId: out.id });
    await expect(dir.flows.create(dup)).rejects.toThrow('flow already exists');
    await expect(dir.users.create(aUser(target, { username: 'alice' }))).rejects.toThrow('already exists');
    expect(await keys()).toHaveLength(8);

    // Moving the source to another endpoint and replacing the target leaves no stale index item.
    const added = aTarget(flow.id, org.id, sftp.id);
    await dir.flows.update(flow.id, (f) => ({ ...f, sources: [{ ...source, endpointId: out.id }], targets: [added] }));
    await dir.users.delete(user.id);
    expect(await keys()).toEqual(
      keyList(
        [`ORG#${org.id}`, 'ORG'],
        [`EP#${sftp.id}`, 'EP'],
        [`EP#${out.id}`, 'EP'],
        [`FLOW#${flow.id}`, 'FLOW'],
        [`FE#${source.id}`, `EP#${out.id}`],
        [`FE#${added.id}`, `EP#${sftp.id}`],
      ),
    );

    await dir.flows.delete(flow.id);
    await dir.endpoints.delete(sftp.id);
    await dir.endpoints.delete(out.id);
    await dir.organizations.delete(org.id);
    expect(await keys()).toEqual([]);
  });
});

describe('users without transactions', () => {
  const fe = aFlow('org-a', 'ep-a', ['ep-b']).sources[0]!;

  it('gives the username back when writing the user fails', async () => {
    const { dir, faults, keys } = await setup();
    const user = aUser(fe, { username: 'bob' });
    faults.fail('PutItem', onItem(`USER#${user.id}`), outage);
    await expectCode(dir.users.create(user), 'unavailable');
    expect(await keys()).toEqual([]);
    const other = aUser(fe, { username: 'bob' });
    await dir.users.create(other);
    expect(await dir.users.getByUsername('bob')).toEqual(other);
  });

  it('hides an orphan claim, keeps it for the lease, then lets it be taken over', async () => {
    const { dir, faults, clock, keys, cleanupErrors } = await setup();
    const user = aUser(fe, { username: 'carol' });
    // The user write fails and so does giving the claim back: as if the process died in between.
    faults.fail('PutItem', onItem(`USER#${user.id}`), outage);
    faults.fail('DeleteItem', onItem('USERNAME#carol'), outage);
    await expectCode(dir.users.create(user), 'unavailable');
    expect(cleanupErrors).toEqual(['username claim of a failed create']);
    expect(await keys()).toEqual([['USERNAME#carol', 'USERNAME']]);
    expect(await dir.users.getByUsername('carol')).toBeUndefined();

    // Within the lease the claim may belong to a create still under way.
    const other = aUser(fe, { username: 'carol' });
    await expectCode(dir.users.create(other), 'already_exists');
    clock.advance(LEASE_MS);
    await dir.users.create(other);
    expect(await dir.users.getByUsername('carol')).toEqual(other);
    expect(await keys()).toEqual(keyList([`USER#${other.id}`, 'USER'], ['USERNAME#carol', 'USERNAME']));
  });

  it('finishes a create tried again after it died between the claim and the user', async () => {
    const { dir, faults } = await setup();
    const user = aUser(fe, { username: 'dave' });
    faults.fail('PutItem', onItem(`USER#${user.id}`), outage);
    faults.fail('DeleteItem', onItem('USERNAME#dave'), outage);
    await expectCode(dir.users.create(user), 'unavailable');
    await dir.users.create(user);
    expect(await dir.users.getByUsername('dave')).toEqual(user);
    // A third attempt finds it done, and leaves it intact.
    await expectCode(dir.users.create(user), 'already_exists');
    expect(await dir.users.getByUsername('dave')).toEqual(user);
  });

  it('lets a create stalled past the lease lose to the one that took its claim over', async () => {
    const { dir, faults, clock, keys } = await setup();
    const stalled = aUser(fe, { username: 'erin' });
    const taker = aUser(fe, { username: 'erin' });
    faults.before('PutItem', onItem(`USER#${stalled.id}`), async () => {
      clock.advance(LEASE_MS);
      await dir.users.create(taker);
    });
    await expectCode(dir.users.create(stalled), 'already_exists');
    expect(await dir.users.getByUsername('erin')).toEqual(taker);
    expect(await dir.users.get(stalled.id)).toBeUndefined();
    expect(await keys()).toEqual(keyList([`USER#${taker.id}`, 'USER'], ['USERNAME#erin', 'USERNAME']));
  });

  it('deletes a user even if its claim cannot be removed; the name comes free after the lease', async () => {
    const { dir, faults, clock, cleanupErrors } = await setup();
    const user = aUser(fe, { username: 'frank' });
    await dir.users.create(user);
    faults.fail('DeleteItem', onItem('USERNAME#frank'), outage);
    await dir.users.delete(user.id);
    expect(cleanupErrors).toEqual(['username claim of a deleted user']);
    expect(await dir.users.get(user.id)).toBeUndefined();
    expect(await dir.users.getByUsername('frank')).toBeUndefined();
    const again = aUser(fe, { username: 'frank' });
    await expectCode(dir.users.create(again), 'already_exists');
    clock.advance(LEASE_MS);
    await dir.users.create(again);
    expect(await dir.users.getByUsername('frank')).toEqual(again);
  });
});

describe('flows without transactions', () => {
  it('leaves no flow endpoint behind when writing the flow fails', async () => {
    const { dir, faults, keys } = await setup();
    const flow = aFlow('org-a', 'ep-a', ['ep-b']);
    faults.fail('PutItem', onItem(`FLOW#${flow.id}`), outage);
    await expectCode(dir.flows.create(flow), 'unavailable');
    expect(await keys()).toEqual([]);
    await dir.flows.create(flow);
    expect(await dir.flows.getFlowEndpoint(flow.sources[0]!.id)).toEqual(flow.sources[0]);
  });

  it('never shows the flow endpoints of a flow whose write failed, even when their clean-up fails too', async () => {
    const { dir, faults, keys, cleanupErrors } = await setup();
    const flow = aFlow('org-a', 'ep-a', ['ep-b']);
    const [source, target] = [flow.sources[0]!, flow.targets[0]!];
    faults.fail('PutItem', onItem(`FLOW#${flow.id}`), outage);
    faults.fail('DeleteItem', onItems('FE#'), outage, 2);
    await expectCode(dir.flows.create(flow), 'unavailable');
    expect(cleanupErrors).toHaveLength(2);
    expect(await keys()).toHaveLength(2);
    expect(await dir.flows.get(flow.id)).toBeUndefined();
    expect(await dir.flows.getFlowEndpoint(source.id)).toBeUndefined();
    expect(await dir.flows.getFlowEndpoint(target.id)).toBeUndefined();
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-a')).toEqual([]);
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-b')).toEqual([]);

    // The leftovers neither block a retry nor another flow taking those flow endpoint ids.
    const other = aFlow('org-a', 'ep-a', [], { sources: [{ ...source, flowId: 'flow-x' }], id: 'flow-x' });
    await dir.flows.create(other);
    expect(await dir.flows.getFlowEndpoint(source.id)).toEqual(other.sources[0]);
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-a')).toEqual([other.sources[0]]);
    await expectCode(dir.flows.create(flow), 'already_exists');
    expect(await dir.flows.getFlowEndpoint(target.id)).toBeUndefined();
  });

  it('never shows a dropped flow endpoint whose index item outlived an update or a delete', async () => {
    const { dir, faults, cleanupErrors } = await setup();
    const flow = aFlow('org-a', 'ep-a', ['ep-b', 'ep-c']);
    const [source, keep, drop] = [flow.sources[0]!, flow.targets[0]!, flow.targets[1]!];
    await dir.flows.create(flow);

    faults.fail('DeleteItem', onItem(`FE#${drop.id}`), outage);
    await dir.flows.update(flow.id, (f) => ({ ...f, targets: [keep] }));
    expect(cleanupErrors).toEqual(['flow endpoint index item']);
    expect(await dir.flows.getFlowEndpoint(drop.id)).toBeUndefined();
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-c')).toEqual([]);

    faults.fail('DeleteItem', onItems('FE#'), outage, 2);
    await dir.flows.delete(flow.id);
    for (const fe of [source, keep, drop]) expect(await dir.flows.getFlowEndpoint(fe.id)).toBeUndefined();
    for (const ep of ['ep-a', 'ep-b', 'ep-c']) expect(await dir.flows.listFlowEndpointsByEndpoint(ep)).toEqual([]);
  });

  it('keeps the flow as it was when writing an update fails', async () => {
    const { dir, faults } = await setup();
    const flow = aFlow('org-a', 'ep-a', ['ep-b']);
    await dir.flows.create(flow);
    const added = aTarget(flow.id, 'org-a', 'ep-c');
    faults.fail('PutItem', onItem(`FLOW#${flow.id}`), outage);
    await expectCode(
      dir.flows.update(flow.id, (f) => ({ ...f, targets: [added] })),
      'unavailable',
    );
    expect(await dir.flows.get(flow.id)).toEqual(flow);
    expect(await dir.flows.getFlowEndpoint(added.id)).toBeUndefined();
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-c')).toEqual([]);
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-b')).toEqual([flow.targets[0]]);
  });

  it('keeps a flow endpoint that a concurrent update lists again while another drops it', async () => {
    const { dir, faults } = await setup();
    const flow = aFlow('org-a', 'ep-a', ['ep-b']);
    const target = flow.targets[0]!;
    await dir.flows.create(flow);
    // The dropping update is stored; before it removes the index item, another update puts the target back.
    faults.before('DeleteItem', onItem(`FE#${target.id}`), async () => {
      await dir.flows.update(flow.id, (f) => ({ ...f, targets: [target] }));
    });
    await dir.flows.update(flow.id, (f) => ({ ...f, targets: [] }));
    expect((await dir.flows.get(flow.id))?.targets).toEqual([target]);
    expect(await dir.flows.getFlowEndpoint(target.id)).toEqual(target);
    expect(await dir.flows.listFlowEndpointsByEndpoint('ep-b')).toEqual([target]);
  });
});

describe('optimistic concurrency', () => {
  /** Bumps the stored item's rev behind the directory's back, as another writer would. */
  const otherWriter = (tableName: string, pk: string, sk: string, name: string) => () =>
    dynamo.client
      .send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: pk, SK: sk },
          UpdateExpression: 'SET #rev = #rev + :one, #data.#name = :name',
          ExpressionAttributeNames: { '#rev': 'rev', '#data': 'data', '#name': 'name' },
          ExpressionAttributeValues: { ':one': 1, ':name': name },
        }),
      )
      .then(() => undefined);

  it('reruns the transform on the newer record when another writer got in first', async () => {
    const { dir, faults, tableName } = await setup({ maxUpdateAttempts: 3 });
    const org = anOrg({ name: 'a' });
    await dir.organizations.create(org);
    faults.before('PutItem', onItem(`ORG#${org.id}`), otherWriter(tableName, `ORG#${org.id}`, 'ORG', 'b'), 2);
    const seen: string[] = [];
    const stored = await dir.organizations.update(org.id, (o) => {
      seen.push(o.name);
      return { ...o, name: `${o.name}+` };
    });
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(stored.name).toBe('b+');
    expect(await dir.organizations.get(org.id)).toEqual(stored);
  });

  it('fails with conflict, writing nothing, once the attempts are spent', async () => {
    const { dir, faults, tableName } = await setup({ maxUpdateAttempts: 3 });
    const org = anOrg({ name: 'a' });
    await dir.organizations.create(org);
    faults.before('PutItem', onItem(`ORG#${org.id}`), otherWriter(tableName, `ORG#${org.id}`, 'ORG', 'other'), 3);
    await expectCode(
      dir.organizations.update(org.id, (o) => ({ ...o, name: 'mine' })),
      'conflict',
    );
    expect((await dir.organizations.get(org.id))?.name).toBe('other');
  });
});

describe("DynamoDB's limits", () => {
  const big = (n: number) => 'x'.repeat(n);

  it('fills a page across 1 MB query responses', async () => {
    const { dir, faults } = await setup();
    const fe = aFlow('org-a', 'ep-a', ['ep-b']).sources[0]!;
    const users = Array.from({ length: 6 }, () => aUser(fe, { homeDirectory: `/${big(350_000)}` }));
    for (const u of users) await dir.users.create(u);
    const pages = await allPages((p) => dir.users.listByFlowEndpoint(fe.id, p), 4);
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    expect(pages.flat().map((u) => u.id)).toEqual(users.map((u) => u.id).sort());
    // dynalite stopped some responses at 1 MB, so the pages took more than one query each.
    expect(faults.calls.filter((c) => c.operation === 'Query').length).toBeGreaterThan(2);
  });

  it('reads every flow of an endpoint when a batch read comes back partial, and past 100 keys', async () => {
    const { dir, faults } = await setup();
    // Eight flows of ~390 KB, at least four in one batch of 100 keys: dynalite answers
    // past 1.4 MB with some keys unprocessed, as DynamoDB does past 16 MB.
    const heavy = Array.from({ length: 8 }, () => aFlow('org-a', 'ep-shared', ['ep-b'], { name: big(390_000) }));
    // And 110 small ones: more keys than one batch read takes.
    const light = Array.from({ length: 110 }, () => aFlow('org-a', 'ep-shared', ['ep-c']));
    for (const f of [...heavy, ...light]) await dir.flows.create(f);
    const found = await dir.flows.listFlowEndpointsByEndpoint('ep-shared');
    expect(found.map((fe) => fe.id)).toEqual([...heavy, ...light].map((f) => f.sources[0]!.id).sort());
    expect(faults.calls.filter((c) => c.operation === 'BatchGetItem').length).toBeGreaterThan(2);
  });

  it('answers limit_exceeded for an item over 400 KB, storing nothing', async () => {
    const { dir } = await setup();
    const org = anOrg({ name: big(420_000) });
    await expectCode(dir.organizations.create(org), 'limit_exceeded');
    expect(await dir.organizations.get(org.id)).toBeUndefined();
  });
});

describe('errors become core errors', () => {
  it('throttling past the SDK retries is unavailable', async () => {
    const { dir, faults } = await setup();
    faults.fail('GetItem', () => true, () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const err = await rejection(dir.organizations.get('org-a'));
    expect(isCoreError(err, 'unavailable')).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(ProvisionedThroughputExceededException);
  });

  it('an unreachable DynamoDB is unavailable', async () => {
    const stopped = await startDynalite();
    await stopped.stop();
    const base = new DynamoDBClient({ endpoint: stopped.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const dir = new DynamoDirectory({ client: DynamoDBDocumentClient.from(base), tableName: stopped.tableName });
      await expectCode(dir.organizations.get('org-a'), 'unavailable');
      await expectCode(dir.organizations.list({ limit: 1 }), 'unavailable');
    } finally {
      base.destroy();
    }
  });

  it('a missing table is a failure', async () => {
    const dir = new DynamoDirectory({ client: dynamo.client, tableName: 'no-such-table' });
    await expectCode(dir.users.getByUsername('alice'), 'failure');
  });

  it('a cursor of another listing is invalid_argument', async () => {
    const { dir } = await setup();
    for (const org of ['org-a', 'org-b']) for (let i = 0; i < 3; i++) await dir.endpoints.create(anEndpoint(org));
    const { cursor } = await dir.endpoints.listByOrg('org-a', { limit: 1 });
    expect(cursor).toBeDefined();
    await expectCode(dir.endpoints.listByOrg('org-b', { limit: 1, cursor: cursor! }), 'invalid_argument');
    await expectCode(dir.flows.listByOrg('org-a', { limit: 1, cursor: cursor! }), 'invalid_argument');
  });
});
