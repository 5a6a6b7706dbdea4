// What this browser tab signs in with: the admin token (local server) or AWS credentials
// (on AWS, where the API wants SigV4-signed calls). sessionStorage only: it dies with the
// tab, is not shared with other tabs and never reaches a cookie that the browser would
// send by itself. The AWS secret only ever leaves the tab inside signatures.
const TOKEN_KEY = 'thru-sftp.admin-token';
const AWS_KEY = 'thru-sftp.aws-credentials';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The API's region, which the signatures name. */
  region: string;
}

export type Credentials = { kind: 'token'; token: string } | ({ kind: 'sigv4' } & AwsCredentials);

type Listener = (signedIn: boolean, reason?: string) => void;
const listeners = new Set<Listener>();

function storedAws(): Credentials | null {
  try {
    const c = JSON.parse(sessionStorage.getItem(AWS_KEY) ?? 'null') as AwsCredentials | null;
    return c?.accessKeyId && c.secretAccessKey && c.region ? { kind: 'sigv4', ...c } : null;
  } catch {
    return null;
  }
}

export const session = {
  credentials(): Credentials | null {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { kind: 'token', token } : storedAws();
  },
  signIn(credentials: Credentials): void {
    if (credentials.kind === 'token') sessionStorage.setItem(TOKEN_KEY, credentials.token);
    else {
      const { kind: _kind, ...aws } = credentials;
      sessionStorage.setItem(AWS_KEY, JSON.stringify(aws));
    }
    for (const l of listeners) l(true);
  },
  /** `reason` is shown on the sign-in page (e.g. the token was refused). */
  signOut(reason?: string): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(AWS_KEY);
    for (const l of listeners) l(false, reason);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The same sign-in (a refusal of old credentials must not sign out newer ones). */
export const sameCredentials = (a: Credentials | null, b: Credentials | null): boolean => JSON.stringify(a) === JSON.stringify(b);
