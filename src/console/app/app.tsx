// The console's shell: sign-in until the session has credentials, then the main navigation
// (organizations, and the current organization's endpoints, flows and activity) and the
// page the URL names.
import { useEffect, useState } from 'preact/hooks';
import { api, path } from './api.js';
import { useLoad } from './hooks.js';
import { href, orgOf, useRoute, type Route } from './router.js';
import { session } from './session.js';
import type { SignInMode } from './sign-in-mode.js';
import type { Organization } from './types.js';
import { StatusRegion } from './ui/status.js';
import { ActivityPage } from './pages/activity.js';
import { EndpointPage } from './pages/endpoint.js';
import { EndpointsPage } from './pages/endpoints.js';
import { FlowPage } from './pages/flow.js';
import { FlowsPage } from './pages/flows.js';
import { OrganizationsPage } from './pages/organizations.js';
import { SignInPage } from './pages/sign-in.js';
import { SourcePage } from './pages/source.js';

export function App({ mode }: { mode: SignInMode }) {
  const [signedIn, setSignedIn] = useState(() => session.credentials() !== null);
  const [reason, setReason] = useState<string>();
  useEffect(
    () =>
      session.subscribe((now, why) => {
        setSignedIn(now);
        setReason(why);
      }),
    [],
  );
  return signedIn ? <Shell /> : <SignInPage mode={mode} reason={reason} />;
}

type Section = 'orgs' | 'endpoints' | 'flows' | 'activity';

const sectionOf = (route: Route): Section | undefined =>
  ({ orgs: 'orgs', endpoints: 'endpoints', endpoint: 'endpoints', flows: 'flows', flow: 'flows', source: 'flows', activity: 'activity', 'not-found': undefined } as const)[route.page];

function Shell() {
  const route = useRoute();
  const orgId = orgOf(route);
  const section = sectionOf(route);
  const current = (s: Section) => (section === s ? ('page' as const) : undefined);
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          // The hash is the router's: move the focus without navigating.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/orgs">
          thru-sftp <span class="brand-sub">console</span>
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="#/orgs" aria-current={current('orgs')}>
                Organizations
              </a>
            </li>
            {orgId ? <OrgLinks orgId={orgId} current={current} /> : null}
          </ul>
        </nav>
        <button type="button" class="button secondary sign-out" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <StatusRegion />
        <Page route={route} />
      </main>
    </>
  );
}

function OrgLinks({ orgId, current }: { orgId: string; current: (s: Section) => 'page' | undefined }) {
  const org = useLoad(() => api.get<Organization>(path`organizations/${orgId}`), [orgId]);
  return (
    <>
      <li class="nav-org" title="Current organization">
        {org.data?.name ?? '…'}
      </li>
      <li>
        <a href={href({ page: 'endpoints', orgId })} aria-current={current('endpoints')}>
          Endpoints
        </a>
      </li>
      <li>
        <a href={href({ page: 'flows', orgId })} aria-current={current('flows')}>
          Flows
        </a>
      </li>
      <li>
        <a href={href({ page: 'activity', orgId })} aria-current={current('activity')}>
          Activity
        </a>
      </li>
    </>
  );
}

function Page({ route }: { route: Route }) {
  // A new key per page remounts it: fresh state, focus on its heading. Switching a tab or
  // the activity's flow stays on the page, and the focus stays on the control used.
  const key =
    route.page === 'source' ? href({ ...route, tab: 'users' }) : route.page === 'activity' ? href({ page: 'activity', orgId: route.orgId }) : `${route.page}${href(route)}`;
  switch (route.page) {
    case 'orgs':
      return <OrganizationsPage key={key} />;
    case 'endpoints':
      return <EndpointsPage key={key} orgId={route.orgId} />;
    case 'endpoint':
      return <EndpointPage key={key} orgId={route.orgId} endpointId={route.endpointId} />;
    case 'flows':
      return <FlowsPage key={key} orgId={route.orgId} />;
    case 'flow':
      return <FlowPage key={key} orgId={route.orgId} flowId={route.flowId} />;
    case 'source':
      return <SourcePage key={key} route={route} />;
    case 'activity':
      return <ActivityPage key={key} orgId={route.orgId} flowId={route.flowId} />;
    case 'not-found':
      return (
        <section>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <a href="#/orgs">Go to the organizations</a>
          </p>
        </section>
      );
  }
}
