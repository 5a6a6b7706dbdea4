// The web console (src/console, built by Vite into dist/console) served by the admin
// app under /console/, next to the API it calls, so both share one origin and no CORS is
// needed. Where the files come from is the runtime's choice (`ConsoleAssets`); the routes
// only use hono's runtime-neutral serveStatic. Console routes are not part of the API:
// no token (the page signs in itself) and absent from the OpenAPI document. The page asks
// config.json how to sign in: with the admin token locally, with AWS credentials (SigV4,
// as API Gateway's IAM authorization wants) on AWS.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { secureHeaders } from 'hono/secure-headers';
import { serveStatic } from 'hono/serve-static';
import type { AdminEnv } from './env.js';

/** The bytes of a built console file ("index.html", "assets/index-1a2b.js"), null when absent. */
export type ConsoleAssets = (file: string) => Promise<Uint8Array<ArrayBuffer> | null>;

export const CONSOLE_PATH = '/console/';

/** How the console authenticates its API calls; the page reads it from /console/config.json. */
export type ConsoleSignIn = { auth: 'token' } | { auth: 'sigv4'; region: string };

export const TOKEN_SIGN_IN: ConsoleSignIn = { auth: 'token' };

/** Console files read from a folder (Vite's output): locally, and from a Lambda bundle. */
export function consoleFiles(dir: string): ConsoleAssets {
  const root = resolve(dir);
  return async (file) => {
    const path = resolve(root, file);
    if (!path.startsWith(root + sep)) return null;
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
  };
}

// The console is the only page this origin serves: it loads its own script and style,
// calls the API on the same origin, and may not be framed (clickjacking of admin actions).
const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  // Plain HTTP locally; HSTS belongs to whatever terminates TLS.
  strictTransportSecurity: false,
});

export function consoleRoutes(app: OpenAPIHono<AdminEnv>, assets: ConsoleAssets, signIn: ConsoleSignIn = TOKEN_SIGN_IN): void {
  // Relative asset URLs need the trailing slash.
  app.get('/', (c) => c.redirect(CONSOLE_PATH));
  app.get('/console', (c) => c.redirect(CONSOLE_PATH));
  app.use(`${CONSOLE_PATH}*`, headers);
  app.get(`${CONSOLE_PATH}config.json`, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(signIn);
  });
  app.get(
    `${CONSOLE_PATH}*`,
    serveStatic<AdminEnv>({
      root: '',
      rewriteRequestPath: (path) => {
        const file = path.slice(CONSOLE_PATH.length);
        return file === '' ? 'index.html' : file;
      },
      getContent: (file) => assets(file),
      onFound: (file, c) => {
        // Vite puts a content hash in every asset name; the page itself must always be fresh.
        c.header('Cache-Control', file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.get(CONSOLE_PATH, (c) =>
    c.text('The web console is not built: run `npm run build:console` (npm install runs it).', 503),
  );
}
