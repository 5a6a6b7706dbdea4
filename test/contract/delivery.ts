// The deliverer contract (the delivery port): what the post-upload pipeline relies on
// from every kind of target. A delivery carries the file's exact content (or, for a
// webhook, its exact size and digest) to the place the target flow endpoint names; a
// retry of the same delivery leaves one copy, not two; a target that cannot take it, a
// source that breaks midway or a cancelled delivery reject with a core error and leave
// nothing half-written behind.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCoreError } from '../../src/core/errors.js';
import type { Endpoint, FlowEndpoint, Transfer } from '../../src/core/model.js';
import type { Deliverer, DeliveryRequest } from '../../src/core/ports/delivery.js';

/** What arrived at the target for one delivered path. */
export interface Arrival {
  size: number;
  sha256: string;
  /** How many times it arrived (a webhook's distinct delivery ids; a file: 1 when present). */
  copies: number;
}

export interface DelivererUnderTest {
  deliverer: Deliverer;
  /** The target endpoint, working. */
  target: Endpoint;
  /** The same target made unable to take files (a missing bucket, a folder that is a file, a failing receiver). */
  brokenTarget: Endpoint;
  /** What arrived for `relativePath` under `folder` (the target flow endpoint's path), or undefined. */
  arrived(folder: string, relativePath: string): Promise<Arrival | undefined>;
  /** Anything else left at the target (temporary or partial files); empty when clean. */
  leftovers(): Promise<string[]>;
  /** Whether it reads the file (a webhook only describes it). */
  readsContent: boolean;
  cleanup(): Promise<void>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const at = '2026-11-26T00:00:00.000Z';

/** A delivery of `o.data` to `target` (its flow endpoint's folder `o.folder`, default /). */
export function deliveryRequest(target: Endpoint, o: { data: Buffer; folder?: string; relativePath?: string; deliveryId?: string; open?: () => Promise<Readable>; signal?: AbortSignal }): DeliveryRequest {
  const relativePath = o.relativePath ?? '/a.csv';
  const transfer: Transfer = {
    id: 'tr-1', state: 'active', orgId: 'org-1', flowId: 'flow-1', sourceFlowEndpointId: 'fe-src', endpointId: 'ep-src',
    path: `/in${relativePath}`, size: o.data.length, sha256: sha256(o.data), user: 'acme', receivedAt: at, deliveries: [], version: 1,
  };
  const targetFlowEndpoint: FlowEndpoint = { id: 'fe-tgt', flowId: 'flow-1', orgId: 'org-1', endpointId: target.id, role: 'target', path: o.folder ?? '/' };
  return {
    transfer,
    delivery: { id: o.deliveryId ?? 'dl-1', targetFlowEndpointId: 'fe-tgt', targetEndpointId: target.id, status: 'started', attempts: 1 },
    target,
    targetFlowEndpoint,
    relativePath,
    open: o.open ?? (async () => Readable.from([o.data.subarray(0, 1000), o.data.subarray(1000)])),
    signal: o.signal ?? new AbortController().signal,
  };
}

export function delivererContract(name: string, make: () => Promise<DelivererUnderTest>): void {
  describe(`deliverer contract: ${name}`, () => {
    let t: DelivererUnderTest;
    beforeEach(async () => {
      t = await make();
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('delivers the exact content to the folder the target flow endpoint names, nested paths included', async () => {
      const data = randomBytes(300_000);
      const result = await t.deliverer.deliver(deliveryRequest(t.target, { data, folder: '/from-acme', relativePath: '/2026/11/a.csv' }));
      // Where it went: a path, a key, a URL.
      expect(result.location).not.toBe('');
      expect(await t.arrived('/from-acme', '/2026/11/a.csv')).toEqual({ size: data.length, sha256: sha256(data), copies: 1 });
      expect(await t.leftovers()).toEqual([]);
    });

    it('delivers an empty file', async () => {
      await t.deliverer.deliver(deliveryRequest(t.target, { data: Buffer.alloc(0), relativePath: '/empty.csv' }));
      expect(await t.arrived('/', '/empty.csv')).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)), copies: 1 });
    });

    it('a retry of the same delivery leaves one copy, the latest', async () => {
      const first = randomBytes(5_000);
      const again = randomBytes(7_000);
      await t.deliverer.deliver(deliveryRequest(t.target, { data: first }));
      await t.deliverer.deliver(deliveryRequest(t.target, { data: again }));
      expect(await t.arrived('/', '/a.csv')).toEqual({ size: again.length, sha256: sha256(again), copies: 1 });
    });

    it('a target that cannot take it rejects with a core error', async () => {
      const err: unknown = await t.deliverer.deliver(deliveryRequest(t.brokenTarget, { data: randomBytes(2_000) })).catch((e: unknown) => e);
      expect(isCoreError(err)).toBe(true);
      expect(await t.leftovers()).toEqual([]);
    });

    it('a source that breaks midway rejects and leaves nothing at the target', async (ctx) => {
      if (!t.readsContent) return ctx.skip();
      const broken = async () =>
        new Readable({
          read() {
            this.push(randomBytes(64 * 1024));
            this.destroy(new Error('the source disk went away'));
          },
        });
      await expect(t.deliverer.deliver(deliveryRequest(t.target, { data: randomBytes(10), open: broken }))).rejects.toThrow();
      expect(await t.arrived('/', '/a.csv')).toBeUndefined();
      expect(await t.leftovers()).toEqual([]);
    });

    it('a cancelled delivery rejects and leaves nothing at the target', async () => {
      const controller = new AbortController();
      controller.abort(new Error('the worker is shutting down'));
      await expect(t.deliverer.deliver(deliveryRequest(t.target, { data: randomBytes(200_000), signal: controller.signal }))).rejects.toThrow();
      expect(await t.arrived('/', '/a.csv')).toBeUndefined();
      expect(await t.leftovers()).toEqual([]);
    });
  });
}
