// SQS's SendMessage on loopback (awsJson1_0: POST /, X-Amz-Target: AmazonSQS.SendMessage),
// so SqsJobQueue runs through the real SDK's serialization and its MD5 check of the
// body, and what it sends lands in the simulated queue (no SQS emulator runs offline).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SqsWire {
  endpoint: string;
  queueUrl: string;
  /** Every SendMessage, as the SDK put it on the wire. */
  sent: { MessageBody: string; DelaySeconds?: number; QueueUrl: string }[];
  stop(): Promise<void>;
}

export async function startSqsWire(onSend: (body: string, delaySeconds: number) => void): Promise<SqsWire> {
  const sent: SqsWire['sent'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
      if (target !== 'AmazonSQS.SendMessage') return reply(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `not served here: ${target}` });
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SqsWire['sent'][number];
      sent.push(input);
      onSend(input.MessageBody, input.DelaySeconds ?? 0);
      reply(200, { MessageId: `m-${sent.length}`, MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex') });
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/000000000000/thru-test`,
    sent,
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
