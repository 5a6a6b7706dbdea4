// A source flow endpoint (a folder partners upload into) with its Users and Triggers tabs.
import { api, path } from '../api.js';
import { useLoad } from '../hooks.js';
import { href, navigate, type Route, type SourceTab } from '../router.js';
import type { Endpoint, Flow } from '../types.js';
import { LoadState, PageHeading } from '../ui/page.js';
import { Tabs } from '../ui/tabs.js';
import { TriggersPanel } from './triggers.js';
import { UsersPanel } from './users.js';

const TABS = [
  { id: 'users', label: 'Users' },
  { id: 'triggers', label: 'Triggers' },
] as const;

export function SourcePage({ route }: { route: Extract<Route, { page: 'source' }> }) {
  const { orgId, flowId, flowEndpointId, tab } = route;
  const data = useLoad(async () => {
    const flow = await api.get<Flow>(path`flows/${flowId}`);
    const source = flow.sources.find((s) => s.id === flowEndpointId);
    const endpoint = source ? await api.get<Endpoint>(path`endpoints/${source.endpointId}`) : undefined;
    return { flow, source, endpoint };
  }, [flowId, flowEndpointId]);
  const { flow, source, endpoint } = data.data ?? {};
  return (
    <>
      <p class="breadcrumb">
        <a href={href({ page: 'flows', orgId })}>Flows</a> <span aria-hidden="true">›</span>{' '}
        <a href={href({ page: 'flow', orgId, flowId })}>{flow?.name ?? 'Flow'}</a>
      </p>
      <PageHeading>
        Source {endpoint ? endpoint.name : ''} <span class="mono">{source?.path ?? ''}</span>
      </PageHeading>
      <LoadState loading={data.loading && !data.data} error={data.error} retry={data.reload} />
      {data.data && !source ? <p role="alert">This flow has no source {flowEndpointId}.</p> : null}
      {flow && source && endpoint ? (
        <Tabs<SourceTab> label="Source settings" tabs={TABS} selected={tab} onSelect={(t) => navigate({ ...route, tab: t }, { replace: true })}>
          {tab === 'users' ? (
            <UsersPanel flowEndpointId={source.id} endpoint={endpoint} folder={source.path} />
          ) : (
            <TriggersPanel flow={flow} source={source} onSaved={data.reload} />
          )}
        </Tabs>
      ) : null}
    </>
  );
}
