// The directory contract against the SQLite adapter (the local runtime's directory).
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { directoryContract } from './directory.js';

directoryContract('SQLite', async () => {
  const directory = new SqliteDirectory(openDatabase(':memory:'));
  return { directory, cleanup: () => directory.close() };
});
