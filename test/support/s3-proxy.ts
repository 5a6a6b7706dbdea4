// An HTTP proxy in front of s3rver for what s3rver cannot do by itself: it records every
// request (operation, headers, concurrency), injects faults by rule (an error answer, an
// error inside a 200, no answer at all, a reset connection, a request held until
// released), and can emulate UploadPartCopy (s3rver answers 501) with a ranged GET and
// an UploadPart, to exercise the adapter's server-side copy path.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buffer as collect } from 'node:stream/consumers';

export type S3Op =
  | 'PutObject' | 'CopyObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'DeleteObjects' | 'ListObjects'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'Other';

export interface SeenRequest {
  op: S3Op;
  method: string;
  /** Object key (URL-decoded), without the bucket. */
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** What the client got: a status, or 'hang' / 'reset'. */
  outcome?: number | 'hang' | 'reset';
}

export type Fault =
  | { status: number; body?: string }
  | { hang: true }
  | { reset: true }
  | { hold: Promise<void> };

/** First rule with an answer wins; undefined forwards the request to s3rver. */
export type Rule = (req: SeenRequest, nth: number) => Fault | undefined;

export interface S3Proxy {
  endpoint: string;
  requests: SeenRequest[];
  rules: Rule[];
  /** Requests of an operation being served right now, and the most ever at once. */
  inflight(op: S3Op): number;
  maxInflight(op: S3Op): number;
  count(op: S3Op): number;
  stop(): Promise<void>;
}

export const s3Error = (code: string, message = code) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy</RequestId></Error>`;

function classify(method: string, pathname: string, query: URLSearchParams, headers: IncomingHttpHeaders): { op: S3Op; bucket: string; key: string } {
  const [, bucket = '', ...rest] = pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const copy = 'x-amz-copy-source' in headers;
  let op: S3Op = 'Other';
  if (key === '') op = method === 'GET' ? 'ListObjects' : method === 'POST' && query.has('delete') ? 'DeleteObjects' : 'Other';
  else if (method === 'PUT') op = query.has('uploadId') ? (copy ? 'UploadPartCopy' : 'UploadPart') : copy ? 'CopyObject' : 'PutObject';
  else if (method === 'POST') op = query.has('uploads') ? 'CreateMultipartUpload' : query.has('uploadId') ? 'CompleteMultipartUpload' : 'Other';
  else if (method === 'DELETE') op = query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  else if (method === 'GET') op = 'GetObject';
  else if (method === 'HEAD') op = 'HeadObject';
  return { op, bucket: decodeURIComponent(bucket), key };
}

export async function startS3Proxy(upstream: string, options: { emulateUploadPartCopy?: boolean } = {}): Promise<S3Proxy> {
  const target = new URL(upstream);
  const requests: SeenRequest[] = [];
  const rules: Rule[] = [];
  const current = new Map<S3Op, number>();
  const most = new Map<S3Op, number>();
  const seen = new Map<S3Op, number>();
  const sockets = new Set<Socket>();

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer | IncomingMessage) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const up = httpRequest({ host: target.hostname, port: target.port, method, path, headers }, resolve);
      up.on('error', reject);
      if (Buffer.isBuffer(body)) up.end(body);
      else body.pipe(up);
    });

  /** UploadPartCopy as s3rver would answer it if it could: GET the range, PUT it as the part. */
  async function emulateCopy(bucket: string, key: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<number> {
    await collect(req);
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '');
    const range = req.headers['x-amz-copy-source-range'];
    const encode = (k: string) => k.split('/').map(encodeURIComponent).join('/');
    const got = await forward('GET', `/${encode(source)}`, { host: target.host, ...(typeof range === 'string' && { range }) }, Buffer.alloc(0));
    const bytes = await collect(got);
    if (got.statusCode !== 200 && got.statusCode !== 206) {
      res.writeHead(got.statusCode ?? 500).end(bytes);
      return got.statusCode ?? 500;
    }
    const partPath = `/${encodeURIComponent(bucket)}/${encode(key)}?partNumber=${query.get('partNumber')}&uploadId=${query.get('uploadId')}`;
    const put = await forward('PUT', partPath, { host: target.host, 'content-length': String(bytes.length) }, bytes);
    await collect(put);
    const etag = String(put.headers.etag);
    res.writeHead(put.statusCode ?? 500, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>${etag}</ETag></CopyPartResult>`);
    return put.statusCode ?? 500;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const { op, bucket, key } = classify(req.method ?? 'GET', url.pathname, url.searchParams, req.headers);
    const seenReq: SeenRequest = { op, method: req.method ?? 'GET', key, query: url.searchParams, headers: req.headers };
    requests.push(seenReq);
    const nth = (seen.get(op) ?? 0) + 1;
    seen.set(op, nth);
    current.set(op, (current.get(op) ?? 0) + 1);
    most.set(op, Math.max(most.get(op) ?? 0, current.get(op)!));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      current.set(op, current.get(op)! - 1);
    };
    res.on('close', finish);

    void (async () => {
      let fault: Fault | undefined;
      for (const rule of rules) if ((fault = rule(seenReq, nth))) break;
      if (fault && 'hold' in fault) {
        await fault.hold;
        fault = undefined;
      }
      if (fault && 'hang' in fault) {
        seenReq.outcome = 'hang';
        req.resume(); // read the body, never answer
        return;
      }
      if (fault && 'reset' in fault) {
        seenReq.outcome = 'reset';
        req.socket.destroy();
        return;
      }
      if (fault && 'status' in fault) {
        await collect(req);
        seenReq.outcome = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/xml' }).end(fault.body ?? '');
        return;
      }
      if (op === 'UploadPartCopy' && options.emulateUploadPartCopy) {
        seenReq.outcome = await emulateCopy(bucket, key, req, res, url.searchParams);
        return;
      }
      const up = await forward(req.method ?? 'GET', req.url ?? '/', req.headers, req);
      seenReq.outcome = up.statusCode;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    rules,
    inflight: (op) => current.get(op) ?? 0,
    maxInflight: (op) => most.get(op) ?? 0,
    count: (op) => seen.get(op) ?? 0,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
