// The admin API from the browser: same origin as the console, bearer token from the
// session. Errors keep the API's {"error": {"code", "message"}} so forms can show them.
import { session } from './session.js';

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

export async function request<T>(method: string, to: string, body?: unknown, token = session.token()): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(to, API_BASE), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check that thru-sftp is running, then try again.');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
  const failure = new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `The server answered ${res.status}.`);
  // A token that stops working (rotated, or a server with another data directory): sign in again.
  if (res.status === 401 && token && token === session.token()) session.signOut('The server refused the admin token. Sign in again.');
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
