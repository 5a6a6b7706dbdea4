// A small client of the admin API for the CLI: JSON in and out, errors surfaced with the
// API's own code and message. Locally it sends the bearer token; on AWS the API wants
// IAM (SigV4) signatures instead (sigv4.ts).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A command that failed for a reason already explained (or explained by `message`): exit 1. */
export class CliFailure extends Error {
  readonly silent: boolean;
  constructor(message: string, options: { silent?: boolean } = {}) {
    super(message);
    this.silent = options.silent ?? false;
  }
}

/** Headers that authenticate one request: a bearer token, or a signature over the request. */
export type RequestAuth = (request: { method: string; url: URL; headers: Record<string, string>; body?: string }) => Promise<Record<string, string>>;

export const bearer = (token: string): RequestAuth => async () => ({ authorization: `Bearer ${token}` });

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export class AdminClient {
  private readonly auth: RequestAuth;

  /** `auth`: a bearer token, or a RequestAuth (SigV4 on AWS). */
  constructor(
    private readonly baseUrl: string,
    auth: string | RequestAuth,
  ) {
    this.auth = typeof auth === 'string' ? bearer(auth) : auth;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json' };
    try {
      Object.assign(headers, await this.auth({ method, url, headers: { ...headers }, body: payload }));
    } catch (err) {
      throw new ApiError(0, 'no_credentials', `cannot authenticate to the admin API: ${(err as Error).message}`);
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: payload });
    } catch (err) {
      throw new ApiError(0, 'unreachable', `cannot reach the admin API at ${this.baseUrl}: ${(err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'bad_response', `HTTP ${res.status} from ${url.pathname}: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }

  /** Every item of a paged list. */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request<Page<T>>('GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}
