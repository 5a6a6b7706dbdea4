// The web console for the runtimes that serve it from this checkout (`npm start`,
// `npm run sim`): Vite's output in dist/console at the package root, written by
// `npm run build:console` (npm install runs it). Found from this module's place, which
// differs between running the sources (tsx) and the compiled build (dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleFiles, type ConsoleAssets } from '../admin/console.js';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root of thru-sftp');
    dir = parent;
  }
  return dir;
}

export const checkoutConsole = (): ConsoleAssets => consoleFiles(join(packageRoot(), 'dist', 'console') + '/');
