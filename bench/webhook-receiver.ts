// The webhook target of the delivery scenario: an HTTP server in the benchmark process
// that checks each POST's signature and notes when it arrived (performance.now(), the
// clock the SFTP client's timings use).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../src/adapters/http/webhook-deliverer.js';

export interface WebhookBody {
  type: string;
  path: string;
  size: number;
  sha256: string;
}

export interface Arrival {
  /** performance.now() when the request's headers arrived. */
  at: number;
  body: WebhookBody;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class WebhookReceiver {
  private readonly arrived = new Map<string, Arrival>();
  private readonly waiting = new Map<string, (a: Arrival) => void>();
  /** Why the last refused request was refused (reported when a wait times out). */
  private refusal: string | undefined;

  private constructor(
    private readonly server: Server,
    private readonly secret: string,
  ) {
    server.on('request', (req, res) => {
      const at = performance.now();
      void readBody(req).then((raw) => {
        const problem = this.accept(at, raw, req.headers);
        if (problem) this.refusal = problem;
        res.writeHead(problem ? 400 : 204).end();
      });
    });
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new WebhookReceiver(server, secret);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private accept(at: number, raw: string, headers: IncomingMessage['headers']): string | undefined {
    const timestamp = String(headers[TIMESTAMP_HEADER] ?? '');
    if (headers[SIGNATURE_HEADER] !== signWebhook(this.secret, timestamp, raw)) return 'a POST with a wrong signature';
    let body: WebhookBody;
    try {
      body = JSON.parse(raw) as WebhookBody;
    } catch {
      return 'a POST whose body is not JSON';
    }
    if (typeof body.path !== 'string') return 'a POST without a path';
    // A retried delivery (at least once) keeps its first arrival.
    if (this.arrived.has(body.path)) return undefined;
    const arrival = { at, body };
    this.arrived.set(body.path, arrival);
    this.waiting.get(body.path)?.(arrival);
    this.waiting.delete(body.path);
    return undefined;
  }

  /** The first valid POST for `path`, whether it came already or comes within timeoutMs. */
  arrival(path: string, timeoutMs: number): Promise<Arrival> {
    const known = this.arrived.get(path);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(path);
        reject(new Error(`no webhook POST for ${path} within ${timeoutMs} ms${this.refusal ? ` (refused: ${this.refusal})` : ''}`));
      }, timeoutMs);
      this.waiting.set(path, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
