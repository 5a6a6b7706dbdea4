// The Users tab: partner accounts of a source flow endpoint. Create one with a password
// and/or SSH public keys; enable, disable or delete it. Changes apply to the next login.
import { useState } from 'preact/hooks';
import { PERMISSIONS } from '../../../core/model.js';
import { api, listAll, path } from '../api.js';
import { sftpCommand } from '../format.js';
import { useLoad, useSubmit } from '../hooks.js';
import { PERMISSION_LABELS } from '../labels.js';
import type { Endpoint, Permission, User } from '../types.js';
import { Actions, Checkbox, Form, TextArea, TextField, lines } from '../ui/form.js';
import { LoadState } from '../ui/page.js';
import { announce } from '../ui/status.js';

export function UsersPanel({ flowEndpointId, endpoint, folder }: { flowEndpointId: string; endpoint: Endpoint; folder: string }) {
  const users = useLoad(() => listAll<User>(path`flow-endpoints/${flowEndpointId}/users`), [flowEndpointId]);
  const action = useSubmit();

  const setEnabled = (user: User, enabled: boolean) =>
    action.run(async () => {
      await api.patch<User>(path`users/${user.id}`, { enabled });
      announce(`User ${user.username} ${enabled ? 'enabled' : 'disabled'}.`);
      users.reload();
    });
  const remove = (user: User) =>
    action.run(async () => {
      if (!confirm(`Delete the user ${user.username}? Their files stay in storage.`)) return;
      await api.delete(path`users/${user.id}`);
      announce(`User ${user.username} deleted.`);
      users.reload();
    });

  return (
    <>
      <h2>Users</h2>
      <p class="hint">
        Partners connect to <span class="mono">{endpoint.publicUrl}</span>
        {endpoint.publicUrl ? (
          <>
            {' '}
            with <span class="mono">{sftpCommand(endpoint.publicUrl)}</span>
          </>
        ) : null}
        ; their <span class="mono">/</span> is their home folder inside <span class="mono">{folder}</span>.
      </p>
      <div class="form-error" role="alert">
        {action.error ? <p>{action.error.message}</p> : null}
      </div>
      <LoadState loading={users.loading && !users.data} error={users.error} retry={users.reload} />
      {users.data?.length === 0 ? <p class="empty">No users yet.</p> : null}
      {users.data?.length ? (
        <table class="table">
          <caption class="sr-only">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Sign-in</th>
              <th scope="col">Home folder</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <th scope="row" data-label="Username" class="mono">
                  {u.username}
                </th>
                <td data-label="Sign-in">
                  {signIn(u)}
                  {u.publicKeys.length ? (
                    <ul class="plain small mono">
                      {u.publicKeys.map((k) => (
                        <li key={k.fingerprint}>
                          {k.type} {k.fingerprint}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
                <td data-label="Home folder" class="mono">
                  {u.homeDirectory}
                </td>
                <td data-label="Status">
                  <span class={`badge ${u.enabled ? 'ok' : 'off'}`}>{u.enabled ? 'Enabled' : 'Disabled'}</span>
                </td>
                <td data-label="Actions">
                  <div class="row-actions">
                    <button type="button" class="button secondary small" onClick={() => setEnabled(u, !u.enabled)} disabled={action.busy}>
                      {u.enabled ? 'Disable' : 'Enable'}
                      <span class="sr-only"> {u.username}</span>
                    </button>
                    <button type="button" class="button danger small" onClick={() => remove(u)} disabled={action.busy}>
                      Delete<span class="sr-only"> {u.username}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <NewUser flowEndpointId={flowEndpointId} onCreated={users.reload} />
    </>
  );
}

const signIn = (u: User) =>
  [u.hasPassword ? 'Password' : '', u.publicKeys.length ? `${u.publicKeys.length} SSH key${u.publicKeys.length > 1 ? 's' : ''}` : ''].filter(Boolean).join(' and ') ||
  'No password or key';

function NewUser({ flowEndpointId, onCreated }: { flowEndpointId: string; onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [keys, setKeys] = useState('');
  const [home, setHome] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([...PERMISSIONS]);
  const submit = useSubmit();
  const create = () =>
    submit.run(async () => {
      const publicKeys = lines(keys);
      const user = await api.post<User>(path`flow-endpoints/${flowEndpointId}/users`, {
        username,
        ...(password ? { password } : {}),
        ...(publicKeys.length ? { publicKeys } : {}),
        ...(home.trim() ? { homeDirectory: home.trim() } : {}),
        permissions,
      });
      setUsername('');
      setPassword('');
      setKeys('');
      setHome('');
      setPermissions([...PERMISSIONS]);
      announce(`User ${user.username} created.`);
      onCreated();
    });
  return (
    <section class="panel" aria-labelledby="user-new">
      <h2 id="user-new">New user</h2>
      <Form label="New user" error={submit.error} busy={submit.busy} onSubmit={create}>
        <TextField label="Username" name="username" required value={username} onValue={setUsername} autoComplete="off" spellcheck={false} autoCapitalize="none" hint="Lower case a-z, 0-9, '.', '_', '-', '@'; unique across the service." />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" value={password} onValue={setPassword} hint="Optional with SSH keys. At least 12 characters; stored hashed, never shown again." />
        <TextArea label="SSH public keys" name="publicKeys" rows={3} spellcheck={false} value={keys} onValue={setKeys} hint="OpenSSH public key lines (ssh-ed25519, ecdsa-sha2-*, ssh-rsa ≥ 2048 bits), one per line." />
        <TextField label="Home folder" name="homeDirectory" placeholder="/" value={home} onValue={setHome} spellcheck={false} hint="Inside the source folder; default /." />
        <fieldset class="choices">
          <legend>Permissions</legend>
          {PERMISSIONS.map((p) => (
            <Checkbox
              key={p}
              label={PERMISSION_LABELS[p]}
              name={`permissions.${p}`}
              checked={permissions.includes(p)}
              onValue={(on) => setPermissions(on ? PERMISSIONS.filter((q) => q === p || permissions.includes(q)) : permissions.filter((q) => q !== p))}
            />
          ))}
        </fieldset>
        <Actions>
          <button type="submit" class="button" disabled={submit.busy}>
            Create user
          </button>
        </Actions>
      </Form>
    </section>
  );
}
