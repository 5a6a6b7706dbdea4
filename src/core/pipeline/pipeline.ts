// The post-upload pipeline (SPEC §2): storage events in, transfers and deliveries out.
// Every step is a job on an at-least-once queue and every effect is guarded by a
// deterministic id or a conditional update in the directory, so duplicated or
// replayed jobs never deliver twice. The local runtime feeds it from SQLite, the AWS
// one from SQS; both call `handle`.
import type { Readable } from 'node:stream';
import { CoreError, conflict, isCoreError } from '../errors.js';
import type { Delivery, Flow, FlowEndpoint, Transfer } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { Deliverers } from '../ports/delivery.js';
import type { Directory } from '../ports/directory.js';
import type { Log } from '../ports/logger.js';
import type { Job, JobQueue } from '../ports/queue.js';
import type { Storage, StorageEvent } from '../ports/storage.js';
import { endpointKey, isWithin } from '../paths.js';
import { detect, triggerRules } from './completion.js';
import { sizeAndSha256, verifying } from './hashing.js';
import { awaitingId, completionId, deliveryId } from './ids.js';

export interface PipelineOptions {
  /** Attempts per delivery before it is `dead`. */
  maxAttempts: number;
  /** Backoff: base * 2^(attempt-1), capped, with jitter. */
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** A `started` delivery whose worker went silent this long may be taken over. */
  leaseSeconds: number;
  /** Identifies this worker in claims. */
  workerId: string;
  /**
   * Claims by other workers are known dead (one local process: a claim by an earlier
   * incarnation died with it). Never on AWS, where workers run side by side.
   */
  foreignClaimsAreDead: boolean;
  /** How long a per-file trigger waits for its data file, and how often it looks. */
  triggerWaitSeconds: number;
  triggerRecheckSeconds: number;
}

export const DEFAULT_PIPELINE_OPTIONS: Omit<PipelineOptions, 'workerId' | 'foreignClaimsAreDead'> = {
  maxAttempts: 8,
  retryBaseSeconds: 5,
  retryMaxSeconds: 900,
  leaseSeconds: 900,
  triggerWaitSeconds: 3600,
  triggerRecheckSeconds: 10,
};

export interface PipelineDeps {
  directory: Directory;
  storage: Storage;
  queue: JobQueue;
  deliverers: Deliverers;
  clock: Clock;
  log: Log;
  options: PipelineOptions;
}

/** Errors that no retry can fix: the delivery goes straight to `dead`. */
const PERMANENT = new Set(['not_found', 'invalid_argument', 'unsupported', 'conflict', 'permission_denied']);

interface Source {
  flow: Flow;
  source: FlowEndpoint;
}

export class PostUploadPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  private get now(): string {
    return this.deps.clock.now().toISOString();
  }

  async handle(job: Job): Promise<void> {
    switch (job.kind) {
      case 'storage-event':
        return this.onEvent(job.event);
      case 'deliver':
        return this.deliver(job.transferId, job.deliveryId);
      case 'trigger-recheck':
        return this.recheckTrigger(job);
    }
  }

  /** Put dead deliveries back in the queue (admin API). */
  async retry(transferId: string): Promise<Transfer> {
    let revived: Delivery[] = [];
    const transfer = await this.deps.directory.transfers.update(transferId, (t) => {
      revived = t.deliveries.filter((d) => d.status === 'dead');
      if (revived.length === 0) throw conflict('this transfer has no dead delivery to retry');
      return {
        ...t,
        deliveries: t.deliveries.map((d) => (d.status === 'dead' ? { ...d, status: 'queued', attempts: 0, nextAttemptAt: undefined, claimedBy: undefined } : d)),
      };
    });
    for (const d of revived) await this.deps.queue.enqueue({ kind: 'deliver', transferId, deliveryId: d.id });
    this.deps.log.info({ transferId, deliveries: revived.map((d) => d.id) }, 'deliveries queued again');
    return transfer;
  }

  // ---- events -------------------------------------------------------------------

  private async sourcesOf(endpointId: string, path: string): Promise<Source[]> {
    const fes = await this.deps.directory.flows.listFlowEndpointsByEndpoint(endpointId);
    const out: Source[] = [];
    for (const fe of fes) {
      if (fe.role !== 'source' || path === fe.path || !isWithin(path, fe.path)) continue;
      const flow = await this.deps.directory.flows.get(fe.flowId);
      if (flow?.enabled) out.push({ flow, source: fe });
    }
    return out;
  }

  private async onEvent(event: StorageEvent): Promise<void> {
    const [orgId, endpointId, ...rest] = event.key.split('/');
    if (!orgId || !endpointId || rest.length === 0 || event.key.endsWith('/')) return;
    const path = `/${rest.join('/')}`;
    for (const s of await this.sourcesOf(endpointId, path)) {
      const d = detect(event, s.source, path);
      switch (d.kind) {
        case 'ignore':
          break;
        case 'awaiting':
          await this.recordAwaiting(s, d.path, event);
          break;
        case 'removed':
          await this.deps.directory.transfers.delete(awaitingId(s.flow.id, s.source.id, d.path)).catch(ignoreNotFound);
          break;
        case 'complete':
          await this.complete(s, d.path, event, { signal: 'temp-rename' });
          break;
        case 'per-file-trigger':
          await this.onFileTrigger(s, d.dataPath, event);
          break;
        case 'batch-trigger':
          await this.onBatchTrigger(s, d.folder, event);
          break;
      }
    }
  }

  private base(s: Source, path: string, event: StorageEvent): Omit<Transfer, 'id' | 'state'> {
    return {
      orgId: s.flow.orgId,
      flowId: s.flow.id,
      sourceFlowEndpointId: s.source.id,
      endpointId: s.source.endpointId,
      path,
      size: event.size,
      sha256: '',
      user: event.meta?.user,
      sourceIp: event.meta?.sourceIp,
      receivedAt: event.at,
      deliveries: [],
      version: 0,
    };
  }

  private async recordAwaiting(s: Source, path: string, event: StorageEvent): Promise<void> {
    const id = awaitingId(s.flow.id, s.source.id, path);
    const record: Transfer = { ...this.base(s, path, event), id, state: 'awaiting-trigger' };
    if (!(await this.deps.directory.transfers.createIfAbsent(record))) {
      await this.deps.directory.transfers.update(id, (t) => ({ ...t, size: event.size, receivedAt: event.at, user: record.user, sourceIp: record.sourceIp }));
    }
  }

  private keyOf(s: Source, path: string): string {
    return `${endpointKey(s.flow.orgId, s.source.endpointId)}${path}`;
  }

  /** A file is complete: record it (size, SHA-256, one delivery per target) and queue its deliveries. */
  private async complete(
    s: Source,
    path: string,
    signalEvent: StorageEvent,
    how: Pick<Transfer, 'signal' | 'triggerKey' | 'batch'>,
    id = completionId(s.flow.id, s.source.id, path, signalEvent.version),
  ): Promise<Transfer> {
    const { transfers } = this.deps.directory;
    const existing = await transfers.get(id);
    if (existing && existing.state !== 'waiting-for-data') {
      await this.requeue(existing);
      return existing;
    }
    let transfer: Transfer;
    try {
      const { size, sha256 } = await sizeAndSha256(await this.deps.storage.readStream(this.keyOf(s, path)));
      transfer = {
        ...this.base(s, path, signalEvent),
        ...how,
        id,
        state: 'active',
        size,
        sha256,
        deliveries: s.flow.targets.map((t) => ({ id: deliveryId(id, t.id), targetFlowEndpointId: t.id, targetEndpointId: t.endpointId, status: 'queued', attempts: 0 })),
      };
    } catch (err) {
      if (!isCoreError(err, 'not_found')) throw err;
      transfer = { ...this.base(s, path, signalEvent), ...how, id, state: 'failed', error: 'the file was removed before it could be processed' };
    }
    if (existing) transfer = await transfers.update(id, (t) => ({ ...transfer, version: t.version }));
    else if (!(await transfers.createIfAbsent(transfer))) return (await transfers.get(id)) ?? transfer;
    await transfers.delete(awaitingId(s.flow.id, s.source.id, path)).catch(ignoreNotFound);
    this.deps.log.info({ transferId: id, flowId: s.flow.id, path, size: transfer.size, sha256: transfer.sha256, state: transfer.state }, 'upload complete');
    if (transfer.state === 'active') {
      await this.requeue(transfer);
      if (transfer.deliveries.length === 0) await this.finish(transfer);
    }
    return transfer;
  }

  private async requeue(t: Transfer): Promise<void> {
    for (const d of t.deliveries) {
      if (d.status === 'queued') await this.deps.queue.enqueue({ kind: 'deliver', transferId: t.id, deliveryId: d.id });
    }
  }

  private async onFileTrigger(s: Source, dataPath: string, event: StorageEvent): Promise<void> {
    const how = { signal: 'per-file-trigger' as const, triggerKey: event.key };
    if (await this.isFile(this.keyOf(s, dataPath))) {
      await this.complete(s, dataPath, event, how);
      return;
    }
    const id = completionId(s.flow.id, s.source.id, dataPath, event.version);
    const waiting: Transfer = { ...this.base(s, dataPath, event), ...how, id, state: 'waiting-for-data', size: 0 };
    if (await this.deps.directory.transfers.createIfAbsent(waiting)) {
      this.deps.log.info({ transferId: id, path: dataPath }, 'trigger arrived before its data file; waiting');
      await this.deps.queue.enqueue(
        { kind: 'trigger-recheck', event, flowEndpointId: s.source.id, transferId: id, attempt: 1 },
        { delaySeconds: this.deps.options.triggerRecheckSeconds },
      );
    }
  }

  private async recheckTrigger(job: Extract<Job, { kind: 'trigger-recheck' }>): Promise<void> {
    const { directory, options } = this.deps;
    const transfer = await directory.transfers.get(job.transferId);
    if (transfer?.state !== 'waiting-for-data') return;
    const flow = await directory.flows.get(transfer.flowId);
    const source = flow?.sources.find((fe) => fe.id === job.flowEndpointId);
    if (!flow || !source) {
      await directory.transfers.update(job.transferId, (t) => ({ ...t, state: 'failed', error: 'the flow or its source changed while the trigger waited' }));
      return;
    }
    const s = { flow, source };
    if (await this.isFile(this.keyOf(s, transfer.path))) {
      await this.complete(s, transfer.path, job.event, { signal: 'per-file-trigger', triggerKey: job.event.key }, job.transferId);
      return;
    }
    if (job.attempt * options.triggerRecheckSeconds >= options.triggerWaitSeconds) {
      await directory.transfers.update(job.transferId, (t) => ({
        ...t,
        state: 'failed',
        error: `the data file ${transfer.path} did not arrive within ${options.triggerWaitSeconds} s of its trigger`,
      }));
      this.deps.log.warn({ transferId: job.transferId, path: transfer.path }, 'trigger gave up waiting for its data file');
      return;
    }
    await this.deps.queue.enqueue({ ...job, attempt: job.attempt + 1 }, { delaySeconds: options.triggerRecheckSeconds });
  }

  private async onBatchTrigger(s: Source, folder: string, event: StorageEvent): Promise<void> {
    const rules = triggerRules(s.source);
    const folderKey = this.keyOf(s, folder === '/' ? '' : folder);
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.storage.list(folderKey, { cursor, limit: 1000 });
      for (const e of page.entries) if (e.type === 'file' && !rules.isTempName(e.name) && !rules.isSignalName(e.name)) names.push(e.name);
      cursor = page.cursor;
    } while (cursor);
    if (names.length === 0) {
      this.deps.log.warn({ flowId: s.flow.id, folder }, 'batch trigger in a folder without data files; left in place');
      return;
    }
    names.sort();
    const paths = names.map((n) => (folder === '/' ? `/${n}` : `${folder}/${n}`));
    const leaderId = completionId(s.flow.id, s.source.id, paths[0]!, event.version);
    for (const [i, path] of paths.entries()) {
      const batch = i === 0 ? { leaderId, remaining: paths.length } : { leaderId };
      await this.complete(s, path, event, { signal: 'batch-trigger', triggerKey: event.key, batch });
    }
  }

  private async isFile(key: string): Promise<boolean> {
    try {
      return (await this.deps.storage.stat(key)).type === 'file';
    } catch (err) {
      if (isCoreError(err, 'not_found')) return false;
      throw err;
    }
  }

  // ---- deliveries ---------------------------------------------------------------

  private claimable(d: Delivery, nowMs: number): { ok: true } | { ok: false; retryInSeconds?: number } {
    const { options } = this.deps;
    switch (d.status) {
      case 'queued':
        return { ok: true };
      case 'error': {
        const due = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : 0;
        return due <= nowMs ? { ok: true } : { ok: false, retryInSeconds: Math.ceil((due - nowMs) / 1000) };
      }
      case 'started': {
        if (d.claimedBy !== options.workerId && options.foreignClaimsAreDead) return { ok: true };
        const expires = Date.parse(d.startedAt ?? '') + options.leaseSeconds * 1000;
        return expires <= nowMs ? { ok: true } : { ok: false, retryInSeconds: Math.ceil((expires - nowMs) / 1000) };
      }
      default:
        return { ok: false };
    }
  }

  private async deliver(transferId: string, id: string): Promise<void> {
    const { directory, options, log } = this.deps;
    const current = await directory.transfers.get(transferId);
    const delivery = current?.deliveries.find((d) => d.id === id);
    if (!current || !delivery) return;
    const nowMs = this.deps.clock.now().getTime();
    const check = this.claimable(delivery, nowMs);
    if (!check.ok) {
      // A twin job, or one that came early: look again when it may be due.
      if (check.retryInSeconds !== undefined) await this.deps.queue.enqueue({ kind: 'deliver', transferId, deliveryId: id }, { delaySeconds: check.retryInSeconds });
      return;
    }
    let transfer: Transfer;
    try {
      transfer = await directory.transfers.update(transferId, (t) => ({
        ...t,
        deliveries: t.deliveries.map((d) => {
          if (d.id !== id) return d;
          if (!this.claimable(d, nowMs).ok) throw conflict('claimed by another worker');
          return { ...d, status: 'started', attempts: d.attempts + 1, startedAt: this.now, claimedBy: options.workerId, nextAttemptAt: undefined };
        }),
      }));
    } catch (err) {
      if (isCoreError(err, 'conflict')) return;
      throw err;
    }
    const claimed = transfer.deliveries.find((d) => d.id === id)!;
    try {
      const location = await this.deliverOnce(transfer, claimed);
      await this.settle(transferId, id, { status: 'completed', completedAt: this.now, location, lastError: undefined });
      log.info({ transferId, deliveryId: id, location, attempt: claimed.attempts }, 'delivered');
    } catch (err) {
      const message = err instanceof CoreError ? err.message : 'delivery failed';
      const permanent = err instanceof CoreError && PERMANENT.has(err.code);
      if (permanent || claimed.attempts >= options.maxAttempts) {
        await this.settle(transferId, id, { status: 'dead', lastError: message });
        log.warn({ transferId, deliveryId: id, attempt: claimed.attempts, err: message, permanent }, 'delivery is dead');
        return;
      }
      const backoff = Math.min(options.retryMaxSeconds, options.retryBaseSeconds * 2 ** (claimed.attempts - 1));
      const delay = backoff / 2 + Math.random() * (backoff / 2);
      const nextAttemptAt = new Date(this.deps.clock.now().getTime() + delay * 1000).toISOString();
      await this.settle(transferId, id, { status: 'error', lastError: message, nextAttemptAt });
      await this.deps.queue.enqueue({ kind: 'deliver', transferId, deliveryId: id }, { delaySeconds: Math.ceil(delay) });
      log.warn({ transferId, deliveryId: id, attempt: claimed.attempts, err: message, retryInSeconds: Math.ceil(delay) }, 'delivery failed; will retry');
    }
  }

  private async deliverOnce(transfer: Transfer, delivery: Delivery): Promise<string> {
    const { directory, deliverers, storage } = this.deps;
    const target = await directory.endpoints.get(delivery.targetEndpointId);
    const targetFlowEndpoint = await directory.flows.getFlowEndpoint(delivery.targetFlowEndpointId);
    if (!target || !targetFlowEndpoint) throw new CoreError('not_found', 'the target endpoint was deleted or removed from the flow');
    const deliverer = deliverers[target.type];
    if (!deliverer) throw new CoreError('unsupported', `this runtime cannot deliver to "${target.type}" endpoints`);
    const source = await directory.flows.getFlowEndpoint(transfer.sourceFlowEndpointId);
    const sourcePath = source?.path ?? '/';
    const relativePath = sourcePath === '/' ? transfer.path : transfer.path.slice(sourcePath.length);
    const key = `${endpointKey(transfer.orgId, transfer.endpointId)}${transfer.path}`;
    const open = async (): Promise<Readable> => {
      const raw = await storage.readStream(key).catch((err: unknown) => {
        throw isCoreError(err, 'not_found') ? new CoreError('not_found', 'the source file was removed before delivery') : err;
      });
      const check = verifying(transfer.sha256, transfer.size);
      // Not stream.pipeline: it would consume `check` itself. Errors surface on `check`.
      raw.on('error', (err) => check.destroy(err));
      return raw.pipe(check);
    };
    const signal = AbortSignal.timeout(this.deps.options.leaseSeconds * 1000);
    const result = await deliverer.deliver({ transfer, delivery, target, targetFlowEndpoint, relativePath, open, signal });
    return result.location;
  }

  /** Record a delivery's outcome; the worker that completes the last one runs the follow-ups. */
  private async settle(transferId: string, id: string, change: Partial<Delivery>): Promise<void> {
    let finishing = false;
    const transfer = await this.deps.directory.transfers.update(transferId, (t) => {
      finishing = false;
      const deliveries = t.deliveries.map((d) => (d.id === id ? { ...d, ...change, claimedBy: undefined } : d));
      const done = deliveries.every((d) => d.status === 'completed');
      if (done && !t.finishedAt) finishing = true;
      return { ...t, deliveries, finishedAt: finishing ? this.now : t.finishedAt };
    });
    if (finishing) await this.followUps(transfer);
  }

  private async finish(transfer: Transfer): Promise<void> {
    let finishing = false;
    const t = await this.deps.directory.transfers.update(transfer.id, (cur) => {
      finishing = !cur.finishedAt;
      return { ...cur, finishedAt: cur.finishedAt ?? this.now };
    });
    if (finishing) await this.followUps(t);
  }

  /** Every delivery completed: delete the trigger, count down the batch, delete the source if asked. */
  private async followUps(t: Transfer): Promise<void> {
    const { directory, storage, log } = this.deps;
    const source = await directory.flows.getFlowEndpoint(t.sourceFlowEndpointId);
    if (t.signal === 'per-file-trigger' && t.triggerKey) await storage.remove(t.triggerKey).catch(ignoreNotFound);
    if (t.signal === 'batch-trigger' && t.batch && t.triggerKey) {
      const leader = await directory.transfers.update(t.batch.leaderId, (l) => ({ ...l, batch: { leaderId: l.id, remaining: Math.max(0, (l.batch?.remaining ?? 1) - 1) } }));
      if (leader.batch?.remaining === 0) await storage.remove(t.triggerKey).catch(ignoreNotFound);
    }
    if (source?.deleteSourceAfterDelivery) {
      await storage.remove(`${endpointKey(t.orgId, t.endpointId)}${t.path}`).catch(ignoreNotFound);
    }
    log.info({ transferId: t.id, path: t.path }, 'transfer finished');
  }
}

function ignoreNotFound(err: unknown): void {
  if (!isCoreError(err, 'not_found')) throw err;
}
