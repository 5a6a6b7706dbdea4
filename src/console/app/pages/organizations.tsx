// Organizations: the list to pick one from, and a form to create one.
import { useState } from 'preact/hooks';
import { api, listAll } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { href } from '../router.js';
import type { Organization } from '../types.js';
import { Actions, Form, TextField } from '../ui/form.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';

export function OrganizationsPage() {
  const orgs = useLoad(() => listAll<Organization>('organizations'), []);
  const [name, setName] = useState('');
  const submit = useSubmit();
  const create = () =>
    submit.run(async () => {
      const org = await api.post<Organization>('organizations', { name });
      setName('');
      announce(`Organization ${org.name} created.`);
      orgs.reload();
    });
  return (
    <>
      <PageHeading>Organizations</PageHeading>
      <section aria-labelledby="orgs-list">
        <h2 id="orgs-list" class="sr-only">
          All organizations
        </h2>
        <LoadState loading={orgs.loading && !orgs.data} error={orgs.error} retry={orgs.reload} />
        {orgs.data?.length === 0 ? <p class="empty">No organizations yet: create the first one below.</p> : null}
        {orgs.data?.length ? (
          <ul class="link-list">
            {orgs.data.map((o) => (
              <li key={o.id}>
                <a href={href({ page: 'endpoints', orgId: o.id })}>{o.name}</a>
                <span class="muted mono">{o.id}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section class="panel" aria-labelledby="org-new">
        <h2 id="org-new">New organization</h2>
        <Form label="New organization" error={submit.error} busy={submit.busy} onSubmit={create}>
          <TextField label="Name" name="name" required value={name} onValue={setName} autoComplete="organization" />
          <Actions>
            <button type="submit" class="button" disabled={submit.busy}>
              Create organization
            </button>
          </Actions>
        </Form>
      </section>
    </>
  );
}
