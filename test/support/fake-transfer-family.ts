// The Transfer Family JSON API (awsJson1_1: POST /, X-Amz-Target: TransferService.<Op>)
// on loopback, answering from recorded responses, for the code paths aws-sdk-client-mock
// skips: the SDK's own retries on throttling, and the CLI in a child process (pointed
// here with AWS_ENDPOINT_URL_TRANSFER). `throttle` answers the next N calls of an
// operation with ThrottlingException first.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wireJson, type RecordedServer } from './transfer-family-recorded.js';

export interface FakeTransferFamily {
  endpoint: string;
  /** Every call: operation and request body, in order. */
  calls: { operation: string; input: Record<string, unknown> }[];
  throttle(operation: string, times: number): void;
  stop(): Promise<void>;
}

export async function startFakeTransferFamily(recorded: RecordedServer): Promise<FakeTransferFamily> {
  const calls: FakeTransferFamily['calls'] = [];
  const throttles = new Map<string, number>();
  const answer = (operation: string, input: Record<string, unknown>): [number, string] => {
    const pending = throttles.get(operation) ?? 0;
    if (pending > 0) {
      throttles.set(operation, pending - 1);
      return [400, JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' })];
    }
    if (input.ServerId !== recorded.server.ServerId) return [400, JSON.stringify({ __type: 'ResourceNotFoundException', Message: `Unknown server ${String(input.ServerId)}`, Resource: String(input.ServerId), ResourceType: 'Server' })];
    switch (operation) {
      case 'DescribeServer':
        return [200, wireJson({ Server: recorded.server })];
      case 'ListUsers': {
        const page = typeof input.NextToken === 'string' ? Number(input.NextToken.replace('page-', '')) - 1 : 0;
        const next = page + 1 < recorded.pages.length ? { NextToken: `page-${page + 2}` } : {};
        return [200, wireJson({ ServerId: recorded.server.ServerId, Users: recorded.pages[page], ...next })];
      }
      case 'DescribeUser': {
        const user = recorded.users[String(input.UserName)];
        if (!user) return [400, JSON.stringify({ __type: 'ResourceNotFoundException', Message: 'Unknown user', Resource: String(input.UserName), ResourceType: 'User' })];
        return [200, wireJson({ ServerId: recorded.server.ServerId, User: user })];
      }
      default:
        return [400, JSON.stringify({ __type: 'InvalidRequestException', Message: `not recorded: ${operation}` })];
    }
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^TransferService\./, '');
      const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
      calls.push({ operation, input });
      const [status, payload] = answer(operation, input);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` }).end(payload);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    throttle: (operation, times) => void throttles.set(operation, times),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
