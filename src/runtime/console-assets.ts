// The web console for the runtimes that serve it from this checkout (`npm start`,
// `npm run sim`): Vite's output beside its sources, written by `npm run build:console`.
import { fileURLToPath } from 'node:url';
import { consoleFiles, type ConsoleAssets } from '../admin/console.js';

const CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url));

export const checkoutConsole = (): ConsoleAssets => consoleFiles(CONSOLE_DIR);
