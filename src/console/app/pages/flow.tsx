// One flow: its sources (each with its Users and Triggers) and targets; enable, disable,
// delete; a link to its activity.
import { api, listAll, path } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { triggerSummary } from '../format.js';
import { ENDPOINT_TYPE_LABELS } from '../labels.js';
import { href, navigate } from '../router.js';
import type { Endpoint, Flow, FlowEndpoint } from '../types.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';

export function FlowPage({ orgId, flowId }: { orgId: string; flowId: string }) {
  const data = useLoad(
    async () => {
      const [flow, endpoints] = await Promise.all([api.get<Flow>(path`flows/${flowId}`), listAll<Endpoint>(path`organizations/${orgId}/endpoints`)]);
      return { flow, endpoints };
    },
    [orgId, flowId],
  );
  const action = useSubmit();
  const flow = data.data?.flow;
  const endpointOf = (fe: FlowEndpoint) => data.data?.endpoints.find((e) => e.id === fe.endpointId);

  const setEnabled = (enabled: boolean) =>
    action.run(async () => {
      const saved = await api.patch<Flow>(path`flows/${flowId}`, { enabled });
      announce(`Flow ${saved.name} ${enabled ? 'enabled' : 'disabled'}.`);
      data.reload();
    });
  const remove = () =>
    action.run(async () => {
      if (!flow || !confirm(`Delete the flow ${flow.name}? Its transfers' records stay; uploaded files stay in storage.`)) return;
      await api.delete(path`flows/${flowId}`);
      announce(`Flow ${flow.name} deleted.`);
      navigate({ page: 'flows', orgId });
    });

  return (
    <>
      <p class="breadcrumb">
        <a href={href({ page: 'flows', orgId })}>Flows</a>
      </p>
      <PageHeading
        actions={
          flow ? (
            <>
              <a class="button secondary" href={href({ page: 'activity', orgId, flowId })}>
                Activity
              </a>
              <button type="button" class="button secondary" onClick={() => setEnabled(!flow.enabled)} disabled={action.busy}>
                {flow.enabled ? 'Disable flow' : 'Enable flow'}
              </button>
              <button type="button" class="button danger" onClick={remove} disabled={action.busy}>
                Delete
              </button>
            </>
          ) : null
        }
      >
        {flow ? flow.name : 'Flow'}
      </PageHeading>
      {flow ? <p class={`badge ${flow.enabled ? 'ok' : 'off'}`}>{flow.enabled ? 'Enabled' : 'Disabled'}</p> : null}
      <div class="form-error" role="alert">
        {action.error ? <p>{action.error.message}</p> : null}
      </div>
      <LoadState loading={data.loading && !data.data} error={data.error} retry={data.reload} />
      {flow ? (
        <>
          <section aria-labelledby="flow-sources">
            <h2 id="flow-sources">Sources</h2>
            <ul class="cards">
              {flow.sources.map((fe) => {
                const ep = endpointOf(fe);
                const where = `${ep?.name ?? fe.endpointId} ${fe.path}`;
                return (
                  <li key={fe.id} class="card">
                    <h3>
                      {ep ? <a href={href({ page: 'endpoint', orgId, endpointId: ep.id })}>{ep.name}</a> : fe.endpointId} <span class="mono">{fe.path}</span>
                    </h3>
                    <p class="muted">{triggerSummary(fe)}</p>
                    <p class="card-links">
                      <a class="button secondary small" href={href({ page: 'source', orgId, flowId, flowEndpointId: fe.id, tab: 'users' })}>
                        Users<span class="sr-only"> of {where}</span>
                      </a>
                      <a class="button secondary small" href={href({ page: 'source', orgId, flowId, flowEndpointId: fe.id, tab: 'triggers' })}>
                        Triggers<span class="sr-only"> of {where}</span>
                      </a>
                    </p>
                  </li>
                );
              })}
            </ul>
          </section>
          <section aria-labelledby="flow-targets">
            <h2 id="flow-targets">Targets</h2>
            {flow.targets.length === 0 ? <p class="empty">No targets: completed uploads stay where they are.</p> : null}
            <ul class="cards">
              {flow.targets.map((fe) => {
                const ep = endpointOf(fe);
                return (
                  <li key={fe.id} class="card">
                    <h3>
                      {ep ? <a href={href({ page: 'endpoint', orgId, endpointId: ep.id })}>{ep.name}</a> : fe.endpointId} <span class="mono">{fe.path}</span>
                    </h3>
                    {ep ? <p class="muted">{ENDPOINT_TYPE_LABELS[ep.type]}</p> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        </>
      ) : null}
    </>
  );
}
