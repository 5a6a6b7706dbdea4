// The admin token of this browser tab. sessionStorage only: it dies with the tab, is not
// shared with other tabs and never reaches a cookie that the browser would send by itself.
const KEY = 'thru-sftp.admin-token';

type Listener = (signedIn: boolean, reason?: string) => void;
const listeners = new Set<Listener>();

export const session = {
  token: (): string | null => sessionStorage.getItem(KEY),
  signIn(token: string): void {
    sessionStorage.setItem(KEY, token);
    for (const l of listeners) l(true);
  },
  /** `reason` is shown on the sign-in page (e.g. the token was refused). */
  signOut(reason?: string): void {
    sessionStorage.removeItem(KEY);
    for (const l of listeners) l(false, reason);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
