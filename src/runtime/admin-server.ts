// The admin API on Node's HTTP server, for the runtimes that serve it themselves
// (`npm start`, `npm run sim`); on AWS, API Gateway does.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export function serveAdmin(app: Pick<Hono, 'fetch'>, port: number, hostname: string): Promise<AdminServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise<void>((ok) => server.close(() => ok())) }),
    );
    server.once('error', reject);
  });
}
