// Hash routes: the server serves one page, deep links and the back button still work,
// and a reload keeps the place (the token stays in sessionStorage).
import { useEffect, useState } from 'preact/hooks';

export type SourceTab = 'users' | 'triggers';

export type Route =
  | { page: 'orgs' }
  | { page: 'endpoints'; orgId: string }
  | { page: 'endpoint'; orgId: string; endpointId: string }
  | { page: 'flows'; orgId: string }
  | { page: 'flow'; orgId: string; flowId: string }
  | { page: 'source'; orgId: string; flowId: string; flowEndpointId: string; tab: SourceTab }
  | { page: 'activity'; orgId: string; flowId?: string }
  | { page: 'not-found' };

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [orgs, orgId, section, id, sub, feId, tab] = parts;
  if (parts.length === 0 || (orgs === 'orgs' && parts.length === 1)) return { page: 'orgs' };
  if (orgs !== 'orgs' || !orgId) return { page: 'not-found' };
  if (!section || (section === 'endpoints' && !id)) return { page: 'endpoints', orgId };
  if (section === 'endpoints' && id && parts.length === 4) return { page: 'endpoint', orgId, endpointId: id };
  if (section === 'flows' && !id) return { page: 'flows', orgId };
  if (section === 'flows' && id && parts.length === 4) return { page: 'flow', orgId, flowId: id };
  if (section === 'flows' && id && sub === 'sources' && feId && (tab === 'users' || tab === 'triggers') && parts.length === 7) {
    return { page: 'source', orgId, flowId: id, flowEndpointId: feId, tab };
  }
  if (section === 'activity' && parts.length <= 4) return id ? { page: 'activity', orgId, flowId: id } : { page: 'activity', orgId };
  return { page: 'not-found' };
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.page) {
    case 'orgs':
    case 'not-found':
      return '#/orgs';
    case 'endpoints':
      return `#/orgs/${e(route.orgId)}/endpoints`;
    case 'endpoint':
      return `#/orgs/${e(route.orgId)}/endpoints/${e(route.endpointId)}`;
    case 'flows':
      return `#/orgs/${e(route.orgId)}/flows`;
    case 'flow':
      return `#/orgs/${e(route.orgId)}/flows/${e(route.flowId)}`;
    case 'source':
      return `#/orgs/${e(route.orgId)}/flows/${e(route.flowId)}/sources/${e(route.flowEndpointId)}/${route.tab}`;
    case 'activity':
      return `#/orgs/${e(route.orgId)}/activity${route.flowId ? `/${e(route.flowId)}` : ''}`;
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    history.replaceState(null, '', href(route));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = href(route);
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The organization a route belongs to, if any. */
export const orgOf = (route: Route): string | undefined => ('orgId' in route ? route.orgId : undefined);
