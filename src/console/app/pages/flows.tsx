// An organization's flows, and "+ Add Flow".
import { useState } from 'preact/hooks';
import { listAll, path } from '../api.js';
import { places } from '../format.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import type { Endpoint, Flow } from '../types.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';
import { FlowForm } from './flow-form.js';

export function FlowsPage({ orgId }: { orgId: string }) {
  const data = useLoad(
    async () => {
      const [flows, endpoints] = await Promise.all([listAll<Flow>(path`organizations/${orgId}/flows`), listAll<Endpoint>(path`organizations/${orgId}/endpoints`)]);
      return { flows, endpoints };
    },
    [orgId],
  );
  const [adding, setAdding] = useState(false);
  const endpoints = data.data?.endpoints ?? [];
  const noServer = data.data !== undefined && !endpoints.some((e) => e.type === 'thru-sftp-server');
  return (
    <>
      <PageHeading
        actions={
          <button type="button" class="button" aria-expanded={adding} aria-controls="flow-new" onClick={() => setAdding(!adding)}>
            <span class="icon" aria-hidden="true">+</span>Add Flow
          </button>
        }
      >
        Flows
      </PageHeading>
      <section id="flow-new" class="panel" aria-labelledby="flow-new-title" hidden={!adding}>
        <h2 id="flow-new-title">New flow</h2>
        {noServer ? (
          <p class="notice">
            A flow starts at a Thru SFTP Server endpoint: <a href={href({ page: 'endpoints', orgId })}>add one</a> first.
          </p>
        ) : null}
        {adding && data.data ? (
          <FlowForm
            orgId={orgId}
            endpoints={endpoints}
            onSaved={(flow) => {
              announce(`Flow ${flow.name} created.`);
              navigate({ page: 'flow', orgId, flowId: flow.id });
            }}
            onCancel={() => setAdding(false)}
          />
        ) : null}
      </section>
      <LoadState loading={data.loading && !data.data} error={data.error} retry={data.reload} />
      {data.data?.flows.length === 0 ? <p class="empty">No flows yet. A flow delivers what partners upload to its targets.</p> : null}
      {data.data?.flows.length ? (
        <table class="table">
          <caption class="sr-only">Flows</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Sources</th>
              <th scope="col">Targets</th>
            </tr>
          </thead>
          <tbody>
            {data.data.flows.map((f) => (
              <tr key={f.id}>
                <th scope="row" data-label="Name">
                  <a href={href({ page: 'flow', orgId, flowId: f.id })}>{f.name}</a>
                </th>
                <td data-label="Status">{f.enabled ? 'Enabled' : 'Disabled'}</td>
                <td data-label="Sources">{places(f.sources, endpoints)}</td>
                <td data-label="Targets">{places(f.targets, endpoints) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
