// The admin API from the browser: same origin as the console, authenticated with the
// session's bearer token or, on AWS, SigV4 signatures. Errors keep the API's
// {"error": {"code", "message"}} so forms can show them.
import { sameCredentials, session, type Credentials } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// The console lives at <base>/console/ and the API at <base>/v1/.
const API_BASE = new URL('../v1/', location.href);

/** A path below /v1/ with every interpolated value URL-encoded: path`users/${id}`. */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]!) : ''), '');
}

// How far this computer's clock is from the server's, learnt from API Gateway's answer
// when it refuses a signature as too old or too new (SigV4 allows a few minutes).
let clockOffsetMs = 0;
const CLOCK_SKEW = /^Signature (expired|not yet current)/;

async function authenticate(credentials: Credentials | null, method: string, url: URL, headers: Record<string, string>, body: string | undefined) {
  if (credentials?.kind === 'token') return { ...headers, authorization: `Bearer ${credentials.token}` };
  if (credentials?.kind === 'sigv4') return (await import('./sigv4.js')).signedHeaders(credentials, method, url, headers, body, new Date(Date.now() + clockOffsetMs));
  return headers;
}

/** The message of a refusal by API Gateway (403 with its own {"message"} body), if this is one. */
function gatewayRefusal(res: Response, data: unknown): string | undefined {
  const body = data as { message?: unknown; error?: unknown } | undefined;
  if ((res.status !== 401 && res.status !== 403) || body?.error !== undefined) return undefined;
  return typeof body?.message === 'string' ? body.message : `HTTP ${res.status}`;
}

export async function request<T>(method: string, to: string, body?: unknown, credentials = session.credentials(), retried = false): Promise<T> {
  const url = new URL(to, API_BASE);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let res: Response;
  try {
    const headers = await authenticate(credentials, method, url, payload === undefined ? {} : { 'content-type': 'application/json' }, payload);
    res = await fetch(url, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check that thru-sftp is running, then try again.');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
  let failure = new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${res.status}.`);
  // Credentials that stop working (a rotated token, an expired AWS session, a revoked
  // permission) send the page back to sign-in, unless newer ones replaced them meanwhile.
  let refused: string | undefined;
  if (credentials?.kind === 'token' && res.status === 401) refused = 'The server refused the admin token. Sign in again.';
  const gateway = credentials?.kind === 'sigv4' ? gatewayRefusal(res, data) : undefined;
  if (gateway !== undefined) {
    const serverTime = Date.parse(res.headers.get('date') ?? '');
    if (CLOCK_SKEW.test(gateway) && !retried && !Number.isNaN(serverTime)) {
      // This computer's clock is off: sign again with the server's time, as the AWS SDKs do.
      clockOffsetMs = serverTime - Date.now();
      return request<T>(method, to, body, credentials, true);
    }
    // A wrong secret, an unknown key, an expired session token, no execute-api:Invoke permission...
    failure = new ApiError(res.status, 'aws_refused', `AWS refused the credentials: ${gateway}`);
    refused = failure.message;
  }
  if (refused && sameCredentials(credentials, session.credentials())) session.signOut(refused);
  throw failure;
}

export const api = {
  get: <T>(to: string) => request<T>('GET', to),
  post: <T>(to: string, body?: unknown) => request<T>('POST', to, body),
  patch: <T>(to: string, body: unknown) => request<T>('PATCH', to, body),
  delete: (to: string) => request<undefined>('DELETE', to),
};

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Every item of a paged list (organizations, endpoints, flows and users are short lists). */
export async function listAll<T>(to: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<T>>(`${to}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export async function listPage<T>(to: string, limit: number, cursor?: string): Promise<Page<T>> {
  return api.get<Page<T>>(`${to}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
}
