// One endpoint: for a Thru SFTP Server, what to hand to partners (the public URL and the
// host key fingerprints their client will show); its settings; edit and delete.
import { useState } from 'preact/hooks';
import { api, path } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { ENDPOINT_TYPE_LABELS } from '../labels.js';
import { href, navigate } from '../router.js';
import type { Endpoint } from '../types.js';
import { formatDate, sftpCommand } from '../format.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';
import { EndpointForm } from './endpoint-form.js';
export function EndpointPage({ orgId, endpointId }: { orgId: string; endpointId: string }) {
  const endpoint = useLoad(() => api.get<Endpoint>(path`endpoints/${endpointId}`), [endpointId]);
  const [editing, setEditing] = useState(false);
  const removal = useSubmit();
  const ep = endpoint.data;
  const remove = () =>
    removal.run(async () => {
      if (!ep || !confirm(`Delete the endpoint ${ep.name}? Files already stored stay in storage.`)) return;
      await api.delete(path`endpoints/${ep.id}`);
      announce(`Endpoint ${ep.name} deleted.`);
      navigate({ page: 'endpoints', orgId });
    });
  return (
    <>
      <p class="breadcrumb">
        <a href={href({ page: 'endpoints', orgId })}>Endpoints</a>
      </p>
      <PageHeading
        actions={
          ep ? (
            <>
              <button type="button" class="button secondary" aria-expanded={editing} aria-controls="endpoint-edit" onClick={() => setEditing(!editing)}>
                Edit
              </button>
              <button type="button" class="button danger" onClick={remove} disabled={removal.busy}>
                Delete
              </button>
            </>
          ) : null
        }
      >
        {ep ? ep.name : 'Endpoint'}
      </PageHeading>
      <div class="form-error" role="alert">
        {removal.error ? <p>{removal.error.message}</p> : null}
      </div>
      <LoadState loading={endpoint.loading && !ep} error={endpoint.error} retry={endpoint.reload} />
      {ep && editing ? (
        <section id="endpoint-edit" class="panel" aria-labelledby="endpoint-edit-title">
          <h2 id="endpoint-edit-title">Edit endpoint</h2>
          <EndpointForm
            orgId={orgId}
            endpoint={ep}
            onSaved={(saved) => {
              setEditing(false);
              announce(`Endpoint ${saved.name} saved.`);
              endpoint.reload();
            }}
            onCancel={() => setEditing(false)}
          />
        </section>
      ) : null}
      {ep?.type === 'thru-sftp-server' ? <PartnerAccess endpoint={ep} /> : null}
      {ep ? (
        <section aria-labelledby="endpoint-settings">
          <h2 id="endpoint-settings">Settings</h2>
          <dl class="details">
            <dt>Type</dt>
            <dd>{ENDPOINT_TYPE_LABELS[ep.type]}</dd>
            {ep.type === 'thru-sftp-server' ? (
              <>
                <dt>Idle timeout</dt>
                <dd>{ep.config.idleTimeoutSeconds} seconds</dd>
              </>
            ) : null}
            {ep.type === 's3' ? (
              <>
                <dt>Bucket</dt>
                <dd class="mono">{ep.config.bucket}</dd>
                <dt>Prefix</dt>
                <dd class="mono">{ep.config.prefix || '(bucket root)'}</dd>
              </>
            ) : null}
            {ep.type === 'webhook' ? (
              <>
                <dt>URL</dt>
                <dd class="mono">{ep.config.url}</dd>
                <dt>Signing secret</dt>
                <dd>set (never shown)</dd>
              </>
            ) : null}
            {ep.type === 'directory' ? (
              <>
                <dt>Folder path</dt>
                <dd class="mono">{ep.config.path}</dd>
              </>
            ) : null}
            <dt>Description</dt>
            <dd>{ep.description || '—'}</dd>
            <dt>Id</dt>
            <dd class="mono">{ep.id}</dd>
            <dt>Created</dt>
            <dd>{formatDate(ep.createdAt)}</dd>
          </dl>
        </section>
      ) : null}
    </>
  );
}

function PartnerAccess({ endpoint }: { endpoint: Endpoint }) {
  const fingerprints = endpoint.hostKeyFingerprints ?? [];
  return (
    <section class="panel highlight" aria-labelledby="partner-access">
      <h2 id="partner-access">For partners</h2>
      <dl class="details">
        <dt>Public Url</dt>
        <dd class="mono">
          {endpoint.publicUrl}
        </dd>
        <dt>Host key fingerprint{fingerprints.length > 1 ? 's' : ''}</dt>
        <dd>
          <ul class="plain">
            {fingerprints.map((f) => (
              <li key={f} class="mono">
                {f}
              </li>
            ))}
          </ul>
        </dd>
        {endpoint.publicUrl ? (
          <>
            <dt>Connect with</dt>
            <dd class="mono">{sftpCommand(endpoint.publicUrl)}</dd>
          </>
        ) : null}
      </dl>
      <p class="hint">Partners should check that their client shows this fingerprint on the first connection.</p>
    </section>
  );
}
