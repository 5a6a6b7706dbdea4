// V8 heap sizing for a process that moves file data through Buffers. V8 counts the
// off-heap memory of short-lived Buffers against the old-generation limit it derives
// from the JS heap alone, and sizes that limit tightly (1.3x) for a small heap like
// ours (~12 MB). Every few MB of transferred data then starts a full mark-compact:
// ~85 per GiB, measured as a third to a half of the server's CPU during transfers.
// A growing factor leaves room for transient buffers between full collections, at the
// price of RSS: how much depends on what bounds the process.
import { setFlagsFromString } from 'node:v8';

export interface HeapProfile {
  /** --heap-growing-percent: garbage Buffers allowed to pile up between full collections. */
  growingPercent: number;
  /** --max-semi-space-size in MiB; set at process start (node flags), not here. */
  semiSpaceMiB?: number;
}

/**
 * Local transfers are bound by the CPU: a factor of 4 (V8's own upper bound) for the
 * fewest full collections.
 */
export const TRANSFER_HEAP: HeapProfile = { growingPercent: 300 };

/**
 * The S3 front end (Fargate, the sim's workers) holds uploads in part buffers and waits
 * on S3, so it trades collections for memory: garbage Buffers held until the next full
 * collection were most of its peak. A 1 MiB semi-space: V8 otherwise grows the young
 * generation to 2 × 16 MiB while modules load and keeps it, though the front end's young
 * objects are few. Peak RSS of the front end during a 1 GiB upload to s3rver (bench, 3
 * rounds): 204 (204–227) MiB with TRANSFER_HEAP and 8 MiB parts, 161 (154–164) MiB with
 * this profile and 5 MiB parts, at 0.9x the throughput of a direct SDK upload.
 */
export const S3_FRONT_END_HEAP: HeapProfile = { growingPercent: 100, semiSpaceMiB: 1 };

export function tuneHeap(profile: HeapProfile = TRANSFER_HEAP): void {
  // V8 reads this flag at every full collection, so setting it at start takes effect.
  setFlagsFromString(`--heap-growing-percent=${profile.growingPercent}`);
}

/** Node flags for a child process with `profile`, after the parent's own (a semi-space the parent was given wins). */
export function execArgvFor(parent: readonly string[], profile: HeapProfile): string[] {
  if (profile.semiSpaceMiB === undefined || parent.some((a) => a.startsWith('--max-semi-space-size'))) return [...parent];
  return [...parent, `--max-semi-space-size=${profile.semiSpaceMiB}`];
}
