// Activity: a flow's transfers, newest first, each with its state and the status of
// every delivery; dead deliveries can be retried. Refreshes itself while open (can be
// paused: WCAG 2.2.2), since deliveries move on their own.
import { useEffect, useState } from 'preact/hooks';
import { api, listAll, listPage, path } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { DELIVERY_STATUS_LABELS, TRANSFER_STATE_LABELS } from '../labels.js';
import { href, navigate } from '../router.js';
import type { Endpoint, Flow, Transfer } from '../types.js';
import { Checkbox, SelectField } from '../ui/form.js';
import { formatDate, formatSize } from '../format.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { announce } from '../ui/status.js';

const PAGE_SIZE = 25;
const REFRESH_MS = 5000;

export function ActivityPage({ orgId, flowId }: { orgId: string; flowId?: string }) {
  const context = useLoad(async () => {
    const [flows, endpoints] = await Promise.all([listAll<Flow>(path`organizations/${orgId}/flows`), listAll<Endpoint>(path`organizations/${orgId}/endpoints`)]);
    return { flows, endpoints };
  }, [orgId]);
  const flows = context.data?.flows ?? [];
  const selected = flowId ?? flows[0]?.id;
  return (
    <>
      <PageHeading>Activity</PageHeading>
      <LoadState loading={context.loading && !context.data} error={context.error} retry={context.reload} />
      {context.data && flows.length === 0 ? (
        <p class="empty">
          No flows yet: <a href={href({ page: 'flows', orgId })}>add a flow</a>, and its transfers show here.
        </p>
      ) : null}
      {context.data && selected ? (
        <>
          <div class="toolbar">
            <SelectField
              label="Flow"
              name="flow"
              value={selected}
              onValue={(id) => navigate({ page: 'activity', orgId, flowId: id }, { replace: true })}
              options={flows.map((f) => ({ value: f.id, label: f.name }))}
            />
          </div>
          <Transfers key={selected} flowId={selected} endpoints={context.data.endpoints} />
        </>
      ) : null}
    </>
  );
}

function Transfers({ flowId, endpoints }: { flowId: string; endpoints: Endpoint[] }) {
  // Cursors of the pages before the current one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => listPage<Transfer>(path`flows/${flowId}/transfers`, PAGE_SIZE, cursor), [flowId, cursor]);
  const [auto, setAuto] = useState(true);
  const retry = useSubmit();
  const { reload } = page;

  useEffect(() => {
    if (!auto) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto, reload]);

  const retryTransfer = (t: Transfer) =>
    retry.run(async () => {
      await api.post<Transfer>(path`transfers/${t.id}/retry`);
      announce(`Dead deliveries of ${t.path} queued again.`);
      reload();
    });
  const endpointName = (id: string) => endpoints.find((e) => e.id === id)?.name ?? id;
  const items = page.data?.items;

  return (
    <section aria-labelledby="transfers-title">
      <h2 id="transfers-title">Transfers</h2>
      <div class="toolbar">
        <button type="button" class="button secondary small" onClick={reload}>
          Refresh
        </button>
        <Checkbox label={`Refresh every ${REFRESH_MS / 1000} seconds`} name="auto-refresh" checked={auto} onValue={setAuto} />
      </div>
      <div class="form-error" role="alert">
        {retry.error ? <p>{retry.error.message}</p> : null}
      </div>
      <LoadState loading={page.loading && !page.data} error={page.error} retry={reload} />
      {items?.length === 0 ? <p class="empty">No transfers yet. A file shows here once its upload completes, or while it waits for its trigger.</p> : null}
      {items?.length ? (
        <table class="table transfers">
          <caption class="sr-only">Transfers, newest first</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Received</th>
              <th scope="col">Size</th>
              <th scope="col">User</th>
              <th scope="col">State</th>
              <th scope="col">Deliveries</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id}>
                <th scope="row" data-label="File" class="mono">
                  {t.path}
                </th>
                <td data-label="Received">{formatDate(t.receivedAt)}</td>
                <td data-label="Size">{formatSize(t.size)}</td>
                <td data-label="User" class="mono">
                  {t.user ?? ''}
                  {t.sourceIp ? <span class="muted"> from {t.sourceIp}</span> : null}
                </td>
                <td data-label="State">
                  <span class={`badge state-${t.state}`}>{TRANSFER_STATE_LABELS[t.state]}</span>
                  {t.error ? <p class="small">{t.error}</p> : null}
                </td>
                <td data-label="Deliveries">
                  {t.deliveries.length === 0 ? <span class="muted">none</span> : null}
                  <ul class="plain deliveries">
                    {t.deliveries.map((d) => (
                      <li key={d.id}>
                        {endpointName(d.targetEndpointId)}: <span class={`badge delivery-${d.status}`}>{DELIVERY_STATUS_LABELS[d.status]}</span>
                        {d.attempts > 1 ? <span class="muted"> after {d.attempts} attempts</span> : null}
                        {d.lastError && d.status !== 'completed' ? <p class="small">{d.lastError}</p> : null}
                      </li>
                    ))}
                  </ul>
                </td>
                <td data-label="Actions">
                  {t.deliveries.some((d) => d.status === 'dead') ? (
                    <div class="row-actions">
                      <button type="button" class="button secondary small" onClick={() => retryTransfer(t)} disabled={retry.busy}>
                        Retry<span class="sr-only"> {t.path}</span>
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursors.length > 1 || page.data?.nextCursor ? (
        <nav class="pager" aria-label="Transfer pages">
          <button type="button" class="button secondary small" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <button type="button" class="button secondary small" disabled={!page.data?.nextCursor} onClick={() => setCursors([...cursors, page.data!.nextCursor])}>
            Older
          </button>
        </nav>
      ) : null}
    </section>
  );
}
