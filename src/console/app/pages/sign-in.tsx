// Sign-in with the admin token. The token is checked against the API before it is kept.
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api.js';
import { useSubmit } from '../hooks.js';
import { session } from '../session.js';
import { Actions, Form, TextField } from '../ui/form.js';
import { pageShown } from '../ui/page.js';

export function SignInPage({ reason }: { reason?: string }) {
  const [token, setToken] = useState('');
  const submit = useSubmit();
  useEffect(pageShown, []);
  const signIn = () =>
    submit.run(async () => {
      await request('GET', 'organizations?limit=1', undefined, token.trim());
      session.signIn(token.trim());
    });
  return (
    <main id="main" class="sign-in">
      <h1>thru-sftp console</h1>
      {reason ? (
        <p class="notice" role="alert">
          {reason}
        </p>
      ) : null}
      <Form label="Sign in" error={submit.error} busy={submit.busy} onSubmit={signIn}>
        <TextField
          label="Admin token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={token}
          onValue={setToken}
          hint={
            <>
              <code>THRU_ADMIN_TOKEN</code>, or the token in <code>data/admin-token</code> printed on the first start. It is kept in this tab only.
            </>
          }
        />
        <Actions>
          <button type="submit" class="button" disabled={submit.busy}>
            Sign in
          </button>
        </Actions>
      </Form>
    </main>
  );
}
