// The directory port's contract (src/core/ports/directory.ts). Every adapter runs this one
// suite through a factory that opens a fresh, empty directory for each test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCoreError, type CoreErrorCode } from '../../src/core/errors.js';
import { newId } from '../../src/core/ids.js';
import type { Endpoint, Flow, FlowEndpoint, Organization, Transfer, User } from '../../src/core/model.js';
import type { Directory, Page, PageRequest } from '../../src/core/ports/directory.js';
import { bansContract } from './directory-bans.js';
import { aFlow, aSource, aTarget, aTransfer, aUser, allPages, anEndpoint, anOrg, at, ids, sortedIds } from './directory-fixtures.js';

export interface OpenDirectory {
  directory: Directory;
  cleanup(): Promise<void>;
}

/** Concurrent writers in the lost-update tests. */
const WRITERS = 12;

async function expectCode(promise: Promise<unknown>, code: CoreErrorCode, label = ''): Promise<void> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const what = label ? ` (${label})` : '';
  if (!('error' in outcome)) throw new Error(`expected a ${code} error${what}, got ${JSON.stringify(outcome.value)}`);
  if (!isCoreError(outcome.error, code)) throw new Error(`expected a ${code} CoreError${what}, got ${String(outcome.error)}`, { cause: outcome.error });
}

/** A list operation of the port and how to fill it: `seed` returns the ids it must list, in order. */
interface ListCase {
  name: string;
  seed(dir: Directory, n: number): Promise<string[]>;
  list(dir: Directory, page: PageRequest): Promise<Page<{ id: string }>>;
}

export function directoryContract(name: string, open: () => Promise<OpenDirectory>): void {
  describe(`directory contract: ${name}`, () => {
    let opened: OpenDirectory;
    let dir: Directory;
    beforeEach(async () => {
      opened = await open();
      dir = opened.directory;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    /** An organization with an SFTP endpoint, a delivery endpoint and a flow between them. */
    async function tenancy() {
      const org = anOrg();
      await dir.organizations.create(org);
      const sftp = anEndpoint(org.id);
      const out = anEndpoint(org.id, { type: 'directory', name: 'out', config: { path: '/srv/out' } });
      await dir.endpoints.create(sftp);
      await dir.endpoints.create(out);
      const flow = aFlow(org.id, sftp.id, [out.id]);
      await dir.flows.create(flow);
      return { org, sftp, out, flow, source: flow.sources[0]!, target: flow.targets[0]! };
    }

    describe('paging', () => {
      const cases: ListCase[] = [
        {
          name: 'organizations.list',
          seed: async (d, n) => {
            const orgs = Array.from({ length: n }, () => anOrg());
            for (const o of orgs) await d.organizations.create(o);
            return sortedIds(orgs);
          },
          list: (d, p) => d.organizations.list(p),
        },
        {
          name: 'endpoints.listByOrg',
          seed: async (d, n) => {
            await d.endpoints.create(anEndpoint('org-other'));
            const eps = Array.from({ length: n }, () => anEndpoint('org-listed'));
            for (const e of eps) await d.endpoints.create(e);
            await d.endpoints.create(anEndpoint('org-zzz'));
            return sortedIds(eps);
          },
          list: (d, p) => d.endpoints.listByOrg('org-listed', p),
        },
        {
          name: 'flows.listByOrg',
          seed: async (d, n) => {
            await d.flows.create(aFlow('org-other', 'ep-a', ['ep-b']));
            const flows = Array.from({ length: n }, () => aFlow('org-listed', 'ep-a', ['ep-b']));
            for (const f of flows) await d.flows.create(f);
            await d.flows.create(aFlow('org-zzz', 'ep-a', ['ep-b']));
            return sortedIds(flows);
          },
          list: (d, p) => d.flows.listByOrg('org-listed', p),
        },
        {
          name: 'users.listByFlowEndpoint',
          seed: async (d, n) => {
            const flow = aFlow('org-a', 'ep-a', ['ep-b']);
            await d.flows.create(flow);
            await d.users.create(aUser(flow.targets[0]!));
            const users = Array.from({ length: n }, () => aUser(flow.sources[0]!, { flowEndpointId: 'fe-listed' }));
            for (const u of users) await d.users.create(u);
            return sortedIds(users);
          },
          list: (d, p) => d.users.listByFlowEndpoint('fe-listed', p),
        },
        {
          name: 'transfers.listByFlow (newest first)',
          seed: async (d, n) => {
            const flow = aFlow('org-a', 'ep-a', ['ep-b'], { id: 'flow-listed' });
            const other = aFlow('org-a', 'ep-a', ['ep-b']);
            await d.transfers.createIfAbsent(aTransfer(other, { receivedAt: at(3) }));
            // Received out of order, some in the same millisecond: newest first, ties by id.
            const transfers = Array.from({ length: n }, (_, i) => aTransfer(flow, { receivedAt: at((i * 7) % 5) }));
            for (const t of transfers) await d.transfers.createIfAbsent(t);
            return [...transfers]
              .sort((a, b) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? 1 : -1) : a.receivedAt < b.receivedAt ? 1 : -1))
              .map((t) => t.id);
          },
          list: (d, p) => d.transfers.listByFlow('flow-listed', p),
        },
      ];

      for (const c of cases) {
        describe(c.name, () => {
          it('walks every record once, in a stable order, with no cursor on the last page', async () => {
            const expected = await c.seed(dir, 7);
            for (const limit of [1, 2, 3, 7, 8, 100]) {
              const pages = await allPages((p) => c.list(dir, p), limit);
              expect(pages.flat().map((r) => r.id), `limit ${limit}`).toEqual(expected);
              expect(pages.length, `limit ${limit}`).toBe(Math.max(1, Math.ceil(expected.length / limit)));
            }
          });

          it('lists nothing, without a cursor, when empty', async () => {
            expect(await c.list(dir, { limit: 10 })).toEqual({ items: [] });
          });

          it('refuses an invalid cursor or limit with invalid_argument', async () => {
            await c.seed(dir, 3);
            const first = await c.list(dir, { limit: 1 });
            expect(first.cursor).toBeDefined();
            const forged = [
              'not-a-cursor',
              '!!!',
              Buffer.from('{}').toString('base64url'),
              Buffer.from('null').toString('base64url'),
              Buffer.from('["a","b","c","d","e"]').toString('base64url'),
              `${first.cursor!}x`,
            ];
            for (const cursor of forged) await expectCode(c.list(dir, { limit: 2, cursor }), 'invalid_argument', `cursor ${cursor}`);
            for (const limit of [0, -1, 1.5, Number.NaN]) await expectCode(c.list(dir, { limit }), 'invalid_argument', `limit ${limit}`);
          });
        });
      }
    });

    describe('organizations', () => {
      it('creates, gets, updates and deletes', async () => {
        const org = anOrg();
        await dir.organizations.create(org);
        expect(await dir.organizations.get(org.id)).toEqual(org);
        expect(await dir.organizations.get(newId('org'))).toBeUndefined();

        const updated = await dir.organizations.update(org.id, (o) => ({ ...o, name: 'Acme Ltd', updatedAt: at(9) }));
        expect(updated).toEqual({ ...org, name: 'Acme Ltd', updatedAt: at(9) });
        expect(await dir.organizations.get(org.id)).toEqual(updated);

        await dir.organizations.delete(org.id);
        expect(await dir.organizations.get(org.id)).toBeUndefined();
        await expectCode(dir.organizations.delete(org.id), 'not_found');
        await expectCode(dir.organizations.update(org.id, (o) => o), 'not_found');
      });

      it('refuses a duplicate id and keeps the first record', async () => {
        const org = anOrg();
        await dir.organizations.create(org);
        await expectCode(dir.organizations.create({ ...org, name: 'Other' }), 'already_exists');
        expect(await dir.organizations.get(org.id)).toEqual(org);
      });

      it('keeps the id through update, and a throwing transform changes nothing', async () => {
        const org = anOrg();
        await dir.organizations.create(org);
        const moved = await dir.organizations.update(org.id, (o) => ({ ...o, id: newId('org'), name: 'Moved' }));
        expect(moved.id).toBe(org.id);
        expect(await dir.organizations.get(org.id)).toEqual({ ...org, name: 'Moved' });
        expect((await dir.organizations.list({ limit: 10 })).items).toHaveLength(1);

        await expect(dir.organizations.update(org.id, () => { throw new Error('refused'); })).rejects.toThrow('refused');
        expect(await dir.organizations.get(org.id)).toEqual({ ...org, name: 'Moved' });
      });

      it('loses no write under concurrent updates', async () => {
        const org = anOrg({ name: '0' });
        await dir.organizations.create(org);
        await Promise.all(Array.from({ length: WRITERS }, () => dir.organizations.update(org.id, (o) => ({ ...o, name: String(Number(o.name) + 1) }))));
        expect((await dir.organizations.get(org.id))?.name).toBe(String(WRITERS));
      });
    });

    describe('endpoints', () => {
      it('creates, gets, updates and deletes', async () => {
        const ep = anEndpoint('org-a');
        await dir.endpoints.create(ep);
        expect(await dir.endpoints.get(ep.id)).toEqual(ep);
        expect(await dir.endpoints.get(newId('ep'))).toBeUndefined();
        await expectCode(dir.endpoints.create({ ...ep, name: 'dup' }), 'already_exists');

        const updated = await dir.endpoints.update(ep.id, (e) => ({ ...e, description: 'Partner A', config: { idleTimeoutSeconds: 60 } }) as Endpoint);
        expect(await dir.endpoints.get(ep.id)).toEqual(updated);
        expect(updated).toMatchObject({ description: 'Partner A', config: { idleTimeoutSeconds: 60 } });
        expect((await dir.endpoints.listByOrg('org-a', { limit: 10 })).items).toEqual([updated]);

        await dir.endpoints.delete(ep.id);
        expect(await dir.endpoints.get(ep.id)).toBeUndefined();
        expect((await dir.endpoints.listByOrg('org-a', { limit: 10 })).items).toEqual([]);
        await expectCode(dir.endpoints.delete(ep.id), 'not_found');
        await expectCode(dir.endpoints.update(ep.id, (e) => e), 'not_found');
      });

      it('loses no write under concurrent updates', async () => {
        const ep = anEndpoint('org-a', { description: '0' });
        await dir.endpoints.create(ep);
        await Promise.all(
          Array.from({ length: WRITERS }, () => dir.endpoints.update(ep.id, (e) => ({ ...e, description: String(Number(e.description) + 1) }))),
        );
        expect((await dir.endpoints.get(ep.id))?.description).toBe(String(WRITERS));
      });
    });

    describe('flows and flow endpoints', () => {
      it('stores a flow with its flow endpoints, found by id and by endpoint', async () => {
        const { org, sftp, out, flow, source, target } = await tenancy();
        expect(await dir.flows.get(flow.id)).toEqual(flow);
        expect(await dir.flows.get(newId('flow'))).toBeUndefined();
        expect(await dir.flows.getFlowEndpoint(source.id)).toEqual(source);
        expect(await dir.flows.getFlowEndpoint(target.id)).toEqual(target);
        expect(await dir.flows.getFlowEndpoint(newId('fe'))).toBeUndefined();

        // A second flow uses the same SFTP endpoint as a target.
        const back = aFlow(org.id, out.id, [sftp.id]);
        await dir.flows.create(back);
        const onSftp = await dir.flows.listFlowEndpointsByEndpoint(sftp.id);
        expect(sortedIds(onSftp)).toEqual([source.id, back.targets[0]!.id].sort());
        expect(onSftp.find((fe) => fe.id === source.id)).toEqual(source);
        expect(await dir.flows.listFlowEndpointsByEndpoint(newId('ep'))).toEqual([]);
      });

      it('reflects flow endpoints added, changed and dropped by update', async () => {
        const { org, sftp, out, flow, source, target } = await tenancy();
        const other = anEndpoint(org.id, { name: 'other' });
        await dir.endpoints.create(other);
        const added = aTarget(flow.id, org.id, out.id, { path: '/archive' });

        const updated = await dir.flows.update(flow.id, (f) => ({
          ...f,
          name: 'renamed',
          // The source moves to another endpoint, the old target goes, a new one comes.
          sources: [{ ...source, endpointId: other.id, path: '/in/b' }],
          targets: [added],
        }));
        expect(updated.name).toBe('renamed');
        expect(await dir.flows.get(flow.id)).toEqual(updated);

        expect(await dir.flows.getFlowEndpoint(target.id)).toBeUndefined();
        expect(await dir.flows.getFlowEndpoint(added.id)).toEqual(added);
        expect(await dir.flows.getFlowEndpoint(source.id)).toEqual({ ...source, endpointId: other.id, path: '/in/b' });
        expect(await dir.flows.listFlowEndpointsByEndpoint(sftp.id)).toEqual([]);
        expect(await dir.flows.listFlowEndpointsByEndpoint(other.id)).toEqual([{ ...source, endpointId: other.id, path: '/in/b' }]);
        expect(await dir.flows.listFlowEndpointsByEndpoint(out.id)).toEqual([added]);

        // And back again: a dropped flow endpoint may return under its id.
        await dir.flows.update(flow.id, (f) => ({ ...f, sources: [source], targets: [target] }));
        expect(await dir.flows.getFlowEndpoint(source.id)).toEqual(source);
        expect(await dir.flows.getFlowEndpoint(added.id)).toBeUndefined();
        expect(await dir.flows.listFlowEndpointsByEndpoint(sftp.id)).toEqual([source]);
        expect(await dir.flows.listFlowEndpointsByEndpoint(out.id)).toEqual([target]);
        expect(await dir.flows.listFlowEndpointsByEndpoint(other.id)).toEqual([]);
      });

      it('deletes a flow with its flow endpoints', async () => {
        const { sftp, out, flow, source, target } = await tenancy();
        await dir.flows.delete(flow.id);
        expect(await dir.flows.get(flow.id)).toBeUndefined();
        expect(await dir.flows.getFlowEndpoint(source.id)).toBeUndefined();
        expect(await dir.flows.getFlowEndpoint(target.id)).toBeUndefined();
        expect(await dir.flows.listFlowEndpointsByEndpoint(sftp.id)).toEqual([]);
        expect(await dir.flows.listFlowEndpointsByEndpoint(out.id)).toEqual([]);
        expect((await dir.flows.listByOrg(flow.orgId, { limit: 10 })).items).toEqual([]);
        await expectCode(dir.flows.delete(flow.id), 'not_found');
        await expectCode(dir.flows.update(flow.id, (f) => f), 'not_found');
      });

      it('refuses a duplicate flow id and leaves the existing flow whole', async () => {
        const { sftp, flow, source, target } = await tenancy();
        const dup = aFlow(flow.orgId, sftp.id, [sftp.id], { id: flow.id, name: 'dup' });
        // Same flow endpoint ids on other endpoints, and new ones.
        dup.sources = [{ ...source, endpointId: 'ep-elsewhere' }, aSource(flow.id, flow.orgId, sftp.id)];
        await expectCode(dir.flows.create(dup), 'already_exists');
        await expectCode(dir.flows.create(flow), 'already_exists');
        expect(await dir.flows.get(flow.id)).toEqual(flow);
        expect(await dir.flows.getFlowEndpoint(source.id)).toEqual(source);
        expect(await dir.flows.getFlowEndpoint(target.id)).toEqual(target);
        expect(await dir.flows.getFlowEndpoint(dup.sources[1]!.id)).toBeUndefined();
        expect(await dir.flows.listFlowEndpointsByEndpoint(sftp.id)).toEqual([source]);
        expect(await dir.flows.listFlowEndpointsByEndpoint('ep-elsewhere')).toEqual([]);
      });

      it('refuses a flow endpoint id that another flow uses, on create and on update', async () => {
        const { org, sftp, out, flow, source } = await tenancy();
        const second = aFlow(org.id, out.id, [sftp.id]);
        const stolen = { ...source, flowId: second.id };
        await expectCode(dir.flows.create({ ...second, sources: [stolen] }), 'already_exists');
        expect(await dir.flows.get(second.id)).toBeUndefined();

        await dir.flows.create(second);
        await expectCode(dir.flows.update(second.id, (f) => ({ ...f, sources: [...f.sources, stolen] })), 'already_exists');
        expect(await dir.flows.get(second.id)).toEqual(second);
        expect(await dir.flows.get(flow.id)).toEqual(flow);
        expect(await dir.flows.getFlowEndpoint(source.id)).toEqual(source);
      });

      it('loses no flow endpoint under concurrent updates', async () => {
        const { org, out, flow, target } = await tenancy();
        const added = Array.from({ length: WRITERS }, () => aTarget(flow.id, org.id, out.id));
        await Promise.all(added.map((fe) => dir.flows.update(flow.id, (f) => ({ ...f, targets: [...f.targets, fe] }))));
        const stored = (await dir.flows.get(flow.id))!;
        expect(sortedIds(stored.targets)).toEqual(sortedIds([target, ...added]));
        for (const fe of added) expect(await dir.flows.getFlowEndpoint(fe.id)).toEqual(fe);
        expect(sortedIds(await dir.flows.listFlowEndpointsByEndpoint(out.id))).toEqual(sortedIds([target, ...added]));
      });
    });

    describe('users', () => {
      let source: FlowEndpoint;
      let target: FlowEndpoint;
      beforeEach(async () => {
        ({ source, target } = await tenancy());
      });

      it('creates, gets by id and by username, updates and deletes', async () => {
        const user = aUser(source);
        await dir.users.create(user);
        expect(await dir.users.get(user.id)).toEqual(user);
        expect(await dir.users.getByUsername(user.username)).toEqual(user);
        expect(await dir.users.get(newId('usr'))).toBeUndefined();
        expect(await dir.users.getByUsername('nobody')).toBeUndefined();

        const updated = await dir.users.update(user.id, (u) => ({ ...u, enabled: false, publicKeys: [], passwordHash: undefined }));
        expect(updated).toEqual({ ...user, enabled: false, publicKeys: [], passwordHash: undefined });
        expect(await dir.users.get(user.id)).toEqual(updated);
        expect(await dir.users.getByUsername(user.username)).toEqual(updated);

        await dir.users.delete(user.id);
        expect(await dir.users.get(user.id)).toBeUndefined();
        expect(await dir.users.getByUsername(user.username)).toBeUndefined();
        await expectCode(dir.users.delete(user.id), 'not_found');
        await expectCode(dir.users.update(user.id, (u) => u), 'not_found');
      });

      it('keeps usernames unique across the deployment', async () => {
        const user = aUser(source);
        await dir.users.create(user);
        // Same username elsewhere: refused, the first user stays.
        await expectCode(dir.users.create(aUser(target, { username: user.username })), 'already_exists');
        expect(await dir.users.getByUsername(user.username)).toEqual(user);
        // Same id with another username: refused, and that username stays free.
        const sameId = aUser(source, { id: user.id });
        await expectCode(dir.users.create(sameId), 'already_exists');
        expect(await dir.users.getByUsername(sameId.username)).toBeUndefined();
        expect(await dir.users.get(user.id)).toEqual(user);
        await dir.users.create(aUser(target, { username: sameId.username }));
        // A deleted user's username can be taken again.
        await dir.users.delete(user.id);
        const again = aUser(target, { username: user.username });
        await dir.users.create(again);
        expect(await dir.users.getByUsername(user.username)).toEqual(again);
      });

      it('lets exactly one of concurrent creates of a username win', async () => {
        const username = `race-${newId('usr')}`;
        const contenders = Array.from({ length: 6 }, (_, i) => aUser(i % 2 ? source : target, { username }));
        const outcomes = await Promise.allSettled(contenders.map((u) => dir.users.create(u)));
        const winners = contenders.filter((_, i) => outcomes[i]!.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(isCoreError(o.reason, 'already_exists'), String(o.reason)).toBe(true);
        expect(await dir.users.getByUsername(username)).toEqual(winners[0]);
        for (const u of contenders) expect(await dir.users.get(u.id)).toEqual(u === winners[0] ? u : undefined);
      });

      it('never changes a username through update, and moves users between flow endpoints', async () => {
        const user = aUser(source);
        await dir.users.create(user);
        const updated = await dir.users.update(user.id, (u) => ({ ...u, username: 'renamed', flowEndpointId: target.id }));
        expect(updated).toEqual({ ...user, flowEndpointId: target.id });
        expect(await dir.users.getByUsername('renamed')).toBeUndefined();
        expect(await dir.users.getByUsername(user.username)).toEqual(updated);
        expect((await dir.users.listByFlowEndpoint(source.id, { limit: 10 })).items).toEqual([]);
        expect((await dir.users.listByFlowEndpoint(target.id, { limit: 10 })).items).toEqual([updated]);
        // 'renamed' was never taken.
        await dir.users.create(aUser(source, { username: 'renamed' }));
      });

      it('loses no write under concurrent updates', async () => {
        const user = aUser(source, { publicKeys: [] });
        await dir.users.create(user);
        await Promise.all(
          Array.from({ length: WRITERS }, (_, i) =>
            dir.users.update(user.id, (u) => ({
              ...u,
              publicKeys: [...u.publicKeys, { fingerprint: `SHA256:${i}`, type: 'ssh-ed25519', blob: 'AAAA', comment: '', addedAt: at(i) }],
            })),
          ),
        );
        const stored = (await dir.users.getByUsername(user.username))!;
        expect(stored.publicKeys.map((k) => k.fingerprint).sort()).toEqual(Array.from({ length: WRITERS }, (_, i) => `SHA256:${i}`).sort());
      });
    });

    describe('transfers', () => {
      let flow: Flow;
      beforeEach(async () => {
        ({ flow } = await tenancy());
      });

      it('creates a transfer once', async () => {
        const transfer = aTransfer(flow);
        expect(await dir.transfers.createIfAbsent(transfer)).toBe(true);
        expect(await dir.transfers.createIfAbsent({ ...transfer, size: 1, version: 7 })).toBe(false);
        expect(await dir.transfers.get(transfer.id)).toEqual(transfer);
        expect(await dir.transfers.get(newId('tr'))).toBeUndefined();
      });

      it('lets exactly one of concurrent createIfAbsent calls create', async () => {
        const transfer = aTransfer(flow);
        const created = await Promise.all(Array.from({ length: 8 }, (_, i) => dir.transfers.createIfAbsent({ ...transfer, size: i })));
        expect(created.filter(Boolean)).toHaveLength(1);
        expect(await dir.transfers.get(transfer.id)).toEqual({ ...transfer, size: created.indexOf(true) });
      });

      it('bumps the version on update; the transform sees the stored record', async () => {
        const transfer = aTransfer(flow, { version: 1 });
        await dir.transfers.createIfAbsent(transfer);
        const seen: Transfer[] = [];
        const delivery = { id: newId('dl'), targetFlowEndpointId: flow.targets[0]!.id, targetEndpointId: flow.targets[0]!.endpointId, status: 'queued' as const, attempts: 0 };
        const first = await dir.transfers.update(transfer.id, (t) => {
          seen.push(t);
          return { ...t, deliveries: [delivery] };
        });
        expect(seen).toEqual([transfer]);
        expect(first).toEqual({ ...transfer, deliveries: [delivery], version: 2 });
        // A transform cannot set the version itself.
        const second = await dir.transfers.update(transfer.id, (t) => ({ ...t, version: 100, deliveries: [{ ...delivery, status: 'completed', attempts: 1 }] }));
        expect(second.version).toBe(3);
        expect(await dir.transfers.get(transfer.id)).toEqual(second);
        expect((await dir.transfers.listByFlow(flow.id, { limit: 10 })).items).toEqual([second]);
        await expectCode(dir.transfers.update(newId('tr'), (t) => t), 'not_found');
      });

      it('loses no delivery under concurrent updates', async () => {
        const transfer = aTransfer(flow, { version: 1 });
        await dir.transfers.createIfAbsent(transfer);
        const added = Array.from({ length: WRITERS }, () => newId('dl'));
        await Promise.all(
          added.map((id) =>
            dir.transfers.update(transfer.id, (t) => ({
              ...t,
              deliveries: [...t.deliveries, { id, targetFlowEndpointId: 'fe-x', targetEndpointId: 'ep-x', status: 'queued', attempts: 0 }],
            })),
          ),
        );
        const stored = (await dir.transfers.get(transfer.id))!;
        expect(sortedIds(stored.deliveries)).toEqual([...added].sort());
        expect(stored.version).toBe(1 + WRITERS);
      });

      it('keeps the newest-first order when an update moves receivedAt', async () => {
        const older = aTransfer(flow, { receivedAt: at(1) });
        const newer = aTransfer(flow, { receivedAt: at(2) });
        await dir.transfers.createIfAbsent(older);
        await dir.transfers.createIfAbsent(newer);
        await dir.transfers.update(older.id, (t) => ({ ...t, receivedAt: at(3) }));
        expect(ids((await dir.transfers.listByFlow(flow.id, { limit: 10 })).items)).toEqual([older.id, newer.id]);
      });

      it('deletes a transfer', async () => {
        const transfer = aTransfer(flow);
        await dir.transfers.createIfAbsent(transfer);
        await dir.transfers.delete(transfer.id);
        expect(await dir.transfers.get(transfer.id)).toBeUndefined();
        expect((await dir.transfers.listByFlow(flow.id, { limit: 10 })).items).toEqual([]);
        await expectCode(dir.transfers.delete(transfer.id), 'not_found');
        expect(await dir.transfers.createIfAbsent(transfer)).toBe(true);
      });
    });

    bansContract(() => dir);

    it('stores records exactly, optional fields included or absent', async () => {
      const { source, flow } = await tenancy();
      const bare: User = aUser(source, { passwordHash: undefined, publicKeys: [], allowedCidrs: [], permissions: [] });
      delete bare.passwordHash;
      const full: User = aUser(source, { expiresAt: at(99), homeDirectory: '/partner a/ü' });
      await dir.users.create(bare);
      await dir.users.create(full);
      expect(await dir.users.get(bare.id)).toEqual(bare);
      expect(await dir.users.get(full.id)).toEqual(full);
      const t: Transfer = aTransfer(flow, { user: undefined, sourceIp: undefined, size: 2 ** 40 + 1, path: '/in/ünïcode file.csv' });
      delete t.user;
      delete t.sourceIp;
      await dir.transfers.createIfAbsent(t);
      expect(await dir.transfers.get(t.id)).toEqual(t);
      const org: Organization = anOrg({ name: '' });
      await dir.organizations.create(org);
      expect(await dir.organizations.get(org.id)).toEqual(org);
      expect(ids((await dir.organizations.list({ limit: 10 })).items)).toContain(org.id);
    });
  });
}
