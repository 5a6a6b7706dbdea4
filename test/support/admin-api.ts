// Real HTTP calls to a running test server's admin API.
import type { TestServer } from './local-server.js';
import type { Flow, Organization } from '../../src/core/model.js';
import type { EndpointView } from '../../src/core/tenancy/endpoints.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON (an error body on failures), or undefined for an empty body. */
  body: T & Partial<ErrorBody>;
  text: string;
}

export interface RequestOptions {
  /** Sent as is instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
  /** null: no Authorization header. */
  token?: string | null;
}

export interface AdminApi {
  base: string;
  token: string;
  request<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
  delete(path: string, options?: RequestOptions): Promise<ApiResponse>;
}

export function adminApi(server: TestServer): AdminApi {
  const base = `http://127.0.0.1:${server.runtime.adminPort}`;
  const token = server.runtime.adminToken.token;
  async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.token === undefined ? token : options.token;
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as ApiResponse<T>['body'], text };
  }
  return {
    base,
    token,
    request,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    patch: (path, body, options) => request('PATCH', path, body, options),
    delete: (path, options) => request('DELETE', path, undefined, options),
  };
}

/** Organization -> SFTP endpoint -> flow with one source, over HTTP; returns their ids. */
export async function createTenant(api: AdminApi, name: string, options: { sourcePath?: string } = {}) {
  const org = await api.post<Organization>('/v1/organizations', { name });
  if (org.status !== 201) throw new Error(`create organization: ${org.text}`);
  const ep = await api.post<EndpointView>(`/v1/organizations/${org.body.id}/endpoints`, { name: `${name}-sftp`, type: 'thru-sftp-server' });
  if (ep.status !== 201) throw new Error(`create endpoint: ${ep.text}`);
  const flow = await api.post<Flow>(`/v1/organizations/${org.body.id}/flows`, { name: `${name}-flow`, sources: [{ endpointId: ep.body.id, path: options.sourcePath ?? '/' }] });
  if (flow.status !== 201) throw new Error(`create flow: ${flow.text}`);
  return { orgId: org.body.id, endpointId: ep.body.id, flowId: flow.body.id, flowEndpointId: flow.body.sources[0]!.id };
}
