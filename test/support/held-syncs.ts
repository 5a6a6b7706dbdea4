// node:fs for `vi.mock('node:fs')`: the real calls, with every fdatasync recorded (by the
// path its descriptor was opened with through openSync, else "fd N") and, while a hold is
// on, held back until it is lifted, as a slow disk would hold them; those `failIf` picks
// fail with EIO, as a failing disk's would. fsync calls are recorded apart.
import type * as nodeFs from 'node:fs';

export const syncs = {
  /** What each fdatasync was for, in call order. */
  done: [] as string[],
  /** What each fsync was for (folders, after a rename), in call order; never held. */
  full: [] as string[],
  /** Which syncs a hold applies to. */
  holdIf: (_what: string) => true,
  hold: undefined as Promise<void> | undefined,
  /** Which syncs fail. */
  failIf: (_what: string) => false,
};

const opened = new Map<number, string>();

export function resetSyncs(): void {
  syncs.done.length = 0;
  syncs.full.length = 0;
  syncs.holdIf = () => true;
  syncs.hold = undefined;
  syncs.failIf = () => false;
}

/** Whether `p` has settled 20 ms from now: false while a sync it waits for is held. */
export async function settledSoon(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 20));
  return done;
}

/** Hold the syncs from now on (those `holdIf` picks); call the result to let them go. */
export function holdSyncs(): () => void {
  let lift!: () => void;
  syncs.hold = new Promise<void>((resolve) => (lift = resolve));
  return () => {
    syncs.hold = undefined;
    lift();
  };
}

export function withRecordedSyncs(fs: typeof nodeFs) {
  const openSync = (path: nodeFs.PathLike, flags?: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
    const fd = fs.openSync(path, flags ?? 'r', mode);
    opened.set(fd, String(path));
    return fd;
  };
  const fdatasync = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
    const what = opened.get(fd) ?? `fd ${fd}`;
    syncs.done.push(what);
    if (syncs.failIf(what)) return void process.nextTick(callback, Object.assign(new Error(`EIO: i/o error, fdatasync`), { code: 'EIO', errno: -5, syscall: 'fdatasync' }));
    const held = syncs.hold && syncs.holdIf(what) ? syncs.hold : undefined;
    if (held) void held.then(() => fs.fdatasync(fd, callback));
    else fs.fdatasync(fd, callback);
  };
  const fsync = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
    syncs.full.push(opened.get(fd) ?? `fd ${fd}`);
    fs.fsync(fd, callback);
  };
  return { ...fs, default: { ...fs, fdatasync, fsync, openSync }, fdatasync, fsync, openSync };
}
