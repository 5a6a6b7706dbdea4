// V8 heap sizing for a process that moves file data through Buffers. V8 counts the
// off-heap memory of short-lived Buffers against the old-generation limit it derives
// from the JS heap alone, and sizes that limit tightly (1.3x) for a small heap like
// ours (~12 MB). Every few MB of transferred data then starts a full mark-compact:
// ~85 per GiB, measured as a third to a half of the server's CPU during transfers.
// A fixed growing factor of 4 (V8's own upper bound) leaves room for tens of MB of
// transient buffers between full collections, at the price of some RSS.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 300;

export function tuneHeapForTransfers(): void {
  // V8 reads this flag at every full collection, so setting it at start takes effect.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
