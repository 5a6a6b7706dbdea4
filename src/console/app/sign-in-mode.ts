// How this console signs in, as the server that serves it says (/console/config.json):
// the admin token locally, AWS credentials where API Gateway's IAM authorization guards the API.
export type SignInMode = { auth: 'token' } | { auth: 'sigv4'; region: string };

export async function loadSignInMode(): Promise<SignInMode> {
  try {
    const res = await fetch(new URL('./config.json', location.href), { cache: 'no-cache' });
    const mode = (await res.json()) as Partial<{ auth: string; region: string }>;
    if (mode.auth === 'sigv4' && typeof mode.region === 'string') return { auth: 'sigv4', region: mode.region };
  } catch {
    // A server without the file (or unreachable: signing in will say so) uses the token.
  }
  return { auth: 'token' };
}
