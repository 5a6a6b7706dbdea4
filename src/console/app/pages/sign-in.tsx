// Sign-in, as the server says (sign-in-mode.ts): with the admin token locally, with AWS
// credentials on AWS. Either is checked against the API before it is kept.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { useSubmit, type Submission } from '../hooks.js';
import { session, type Credentials } from '../session.js';
import type { SignInMode } from '../sign-in-mode.js';
import { Actions, Form, TextField } from '../ui/form.js';
import { pageShown } from '../ui/page.js';

export function SignInPage({ mode, reason }: { mode: SignInMode; reason?: string }) {
  const submit = useSubmit();
  useEffect(pageShown, []);
  const signIn = (credentials: Credentials) =>
    submit.run(async () => {
      if (credentials.kind === 'sigv4' && (!credentials.accessKeyId || !credentials.secretAccessKey)) {
        throw new ApiError(400, 'missing', 'Enter the access key ID and the secret access key.');
      }
      await request('GET', 'organizations?limit=1', undefined, credentials);
      session.signIn(credentials);
    });
  return (
    <main id="main" class="sign-in">
      <h1>thru-sftp console</h1>
      {reason ? (
        <p class="notice" role="alert">
          {reason}
        </p>
      ) : null}
      {mode.auth === 'sigv4' ? <AwsSignIn region={mode.region} submit={submit} signIn={signIn} /> : <TokenSignIn submit={submit} signIn={signIn} />}
    </main>
  );
}

interface FormProps {
  submit: Submission;
  signIn: (credentials: Credentials) => void;
}

function TokenSignIn({ submit, signIn }: FormProps) {
  const [token, setToken] = useState('');
  return (
    <Form label="Sign in" error={submit.error} busy={submit.busy} onSubmit={() => signIn({ kind: 'token', token: token.trim() })}>
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
      <SignInButton busy={submit.busy} />
    </Form>
  );
}

// The admin API on AWS wants SigV4 signatures from a principal allowed execute-api:Invoke.
function AwsSignIn({ region, submit, signIn }: FormProps & { region: string }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [sessionToken, setSessionToken] = useState('');
  const credentials = (): Credentials => ({
    kind: 'sigv4',
    accessKeyId: accessKeyId.trim(),
    secretAccessKey: secretAccessKey.trim(),
    ...(sessionToken.trim() ? { sessionToken: sessionToken.trim() } : {}),
    region,
  });
  const secret = { type: 'password', autoComplete: 'off', autoCapitalize: 'none', spellcheck: false } as const;
  return (
    <Form label="Sign in" error={submit.error} busy={submit.busy} onSubmit={() => signIn(credentials())}>
      <p class="hint">
        Sign in with AWS credentials allowed <code>execute-api:Invoke</code> on this API, for example from <code>aws configure export-credentials</code> or{' '}
        <code>aws sts get-session-token</code>. They stay in this tab: requests are signed here (SigV4, {region}) and the secret is never sent.
      </p>
      <TextField label="Access key ID" name="accessKeyId" autoComplete="off" autoCapitalize="none" spellcheck={false} required value={accessKeyId} onValue={setAccessKeyId} />
      <TextField label="Secret access key" name="secretAccessKey" {...secret} required value={secretAccessKey} onValue={setSecretAccessKey} />
      <TextField
        label="Session token"
        name="sessionToken"
        {...secret}
        value={sessionToken}
        onValue={setSessionToken}
        hint="For temporary credentials (an access key ID starting with ASIA); empty for an IAM user's long-term key."
      />
      <SignInButton busy={submit.busy} />
    </Form>
  );
}

const SignInButton = ({ busy }: { busy: boolean }) => (
  <Actions>
    <button type="submit" class="button" disabled={busy}>
      Sign in
    </button>
  </Actions>
);
