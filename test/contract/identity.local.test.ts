// The identity contract locally: the SSH front end asks the SQLite directory itself.
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { identityContract } from './identity.js';

identityContract('DirectoryIdentity on SQLite (npm start)', async (clock) => {
  const directory = new SqliteDirectory(openDatabase(':memory:'));
  return { identity: new DirectoryIdentity(directory, clock), directory, cleanup: () => directory.close() };
});
