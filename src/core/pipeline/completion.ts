// When is an upload complete? Decided from one storage event and the source flow
// endpoint's triggers (SPEC §2), with no I/O: the same rules run on the filesystem's
// events locally and on S3's in the Lambda.
import picomatch from 'picomatch';
import type { FlowEndpoint } from '../model.js';
import type { StorageEvent } from '../ports/storage.js';
import { basename, dirname } from '../paths.js';

export type Detection =
  /** Nothing to do (a temp-named write in progress, a folder...). */
  | { kind: 'ignore' }
  /** A data file without a completion signal: admins see it as awaiting a trigger. */
  | { kind: 'awaiting'; path: string }
  /** A file went away: it no longer awaits anything. */
  | { kind: 'removed'; path: string }
  /** Renamed from a temp name to its final name: complete. */
  | { kind: 'complete'; path: string }
  /** `X<suffix>` arrived: X is complete. */
  | { kind: 'per-file-trigger'; dataPath: string; triggerPath: string }
  /** The semaphore arrived: every data file in its folder is complete. */
  | { kind: 'batch-trigger'; folder: string; triggerPath: string };

export interface TriggerRules {
  isTempName(name: string): boolean;
  /** Names that are signals, never data (trigger files, the semaphore). */
  isSignalName(name: string): boolean;
}

/** Compiled rules by their triggers' JSON: compiling the globs costs more than the rest of an event. */
const compiled = new Map<string, TriggerRules>();
const MAX_COMPILED = 256;

export function triggerRules(source: FlowEndpoint): TriggerRules {
  const key = JSON.stringify(source.triggers ?? null);
  let rules = compiled.get(key);
  if (!rules) {
    rules = compile(source);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, rules);
  }
  return rules;
}

function compile(source: FlowEndpoint): TriggerRules {
  const matchers = (source.triggers?.tempFilePatterns ?? []).map((p) => picomatch(p, { dot: true }));
  const trigger = source.triggers?.triggerFile;
  return {
    isTempName: (name) => matchers.some((m) => m(name)),
    isSignalName: (name) =>
      trigger?.mode === 'per-file' ? name.endsWith(trigger.suffix) && name.length > trigger.suffix.length : trigger?.mode === 'batch' && name === trigger.name,
  };
}

/**
 * `path` is the event's file path inside its endpoint ("/in/a.csv"), already known to
 * lie below `source.path`.
 */
export function detect(event: StorageEvent, source: FlowEndpoint, path: string, rules = triggerRules(source)): Detection {
  if (event.name === 'ObjectRemoved:Delete') return { kind: 'removed', path };
  const name = basename(path);
  const trigger = source.triggers?.triggerFile;
  if (trigger?.mode === 'per-file' && rules.isSignalName(name)) {
    return { kind: 'per-file-trigger', dataPath: path.slice(0, -trigger.suffix.length), triggerPath: path };
  }
  if (trigger?.mode === 'batch' && name === trigger.name) return { kind: 'batch-trigger', folder: dirname(path), triggerPath: path };
  if (rules.isTempName(name)) return { kind: 'ignore' };
  if (event.renamedFrom !== undefined && rules.isTempName(basename(`/${event.renamedFrom}`))) return { kind: 'complete', path };
  return { kind: 'awaiting', path };
}
