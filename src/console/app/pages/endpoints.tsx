// An organization's endpoints, and "+ Add Endpoint". A saved endpoint opens on its own
// page, which shows what to hand to partners.
import { useState } from 'preact/hooks';
import { listAll, path } from '../api.js';
import { destination } from '../format.js';
import { useLoad } from '../hooks.js';
import { ENDPOINT_TYPE_LABELS } from '../labels.js';
import { href, navigate } from '../router.js';
import type { Endpoint } from '../types.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';
import { EndpointForm } from './endpoint-form.js';

export function EndpointsPage({ orgId }: { orgId: string }) {
  const endpoints = useLoad(() => listAll<Endpoint>(path`organizations/${orgId}/endpoints`), [orgId]);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <PageHeading
        actions={
          <button type="button" class="button" aria-expanded={adding} aria-controls="endpoint-new" onClick={() => setAdding(!adding)}>
            <span class="icon" aria-hidden="true">+</span>Add Endpoint
          </button>
        }
      >
        Endpoints
      </PageHeading>
      <section id="endpoint-new" class="panel" aria-labelledby="endpoint-new-title" hidden={!adding}>
        <h2 id="endpoint-new-title">New endpoint</h2>
        {adding ? (
          <EndpointForm
            orgId={orgId}
            onSaved={(ep) => {
              announce(`Endpoint ${ep.name} created.`);
              navigate({ page: 'endpoint', orgId, endpointId: ep.id });
            }}
            onCancel={() => setAdding(false)}
          />
        ) : null}
      </section>
      <LoadState loading={endpoints.loading && !endpoints.data} error={endpoints.error} retry={endpoints.reload} />
      {endpoints.data?.length === 0 ? (
        <p class="empty">No endpoints yet. A Thru SFTP Server endpoint is where partners connect; S3, Webhook and Directory endpoints receive deliveries.</p>
      ) : null}
      {endpoints.data?.length ? (
        <table class="table">
          <caption class="sr-only">Endpoints</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Public Url or destination</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.map((ep) => (
              <tr key={ep.id}>
                <th scope="row" data-label="Name">
                  <a href={href({ page: 'endpoint', orgId, endpointId: ep.id })}>{ep.name}</a>
                </th>
                <td data-label="Type">{ENDPOINT_TYPE_LABELS[ep.type]}</td>
                <td data-label="Destination" class="mono">
                  {destination(ep)}
                </td>
                <td data-label="Description">{ep.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
