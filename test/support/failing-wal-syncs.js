// Fault injection for a spawned server and its SFTP workers (NODE_OPTIONS="--import
// <this file>"): once the file THRU_TEST_FAIL_WAL_SYNCS names exists, every fdatasync of
// a SQLite WAL fails with EIO, as a failing disk's would. A failing disk is a fault no
// real peer can produce on demand; everything else in the process stays real.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const trigger = process.env.THRU_TEST_FAIL_WAL_SYNCS;
if (trigger) {
  const real = fs.fdatasync;
  fs.fdatasync = (fd, callback) => {
    let path = '';
    try {
      path = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // not a descriptor we can name: a real sync
    }
    if (path.endsWith('-wal') && fs.existsSync(trigger)) {
      process.nextTick(callback, Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5, syscall: 'fdatasync' }));
      return;
    }
    real(fd, callback);
  };
  // `import { fdatasync } from 'node:fs'` elsewhere sees the replacement too.
  syncBuiltinESMExports();
}
