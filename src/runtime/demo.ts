// First-start demo: an organization, an SFTP endpoint, a flow that delivers completed
// uploads into a local folder, and a user whose password is shown once. It lets a
// newcomer connect with `sftp` within a minute of `npm start`. Built through the same
// tenancy services as the admin API, so it obeys the same rules.
import { randomBytes } from 'node:crypto';
import type { Directory } from '../core/ports/directory.js';
import type { Tenancy } from '../core/tenancy/index.js';

export interface Demo {
  username: string;
  password: string;
  deliveryFolder: string;
  flowEndpointId: string;
}

export async function isEmpty(directory: Directory): Promise<boolean> {
  return (await directory.organizations.list({ limit: 1 })).items.length === 0;
}

export async function createDemo(tenancy: Tenancy, deliveryFolder: string): Promise<Demo> {
  const org = await tenancy.organizations.create({ name: 'Demo' });
  const sftp = await tenancy.endpoints.create(org.id, { name: 'demo-sftp', type: 'thru-sftp-server', description: 'Demo SFTP endpoint' });
  const folder = await tenancy.endpoints.create(org.id, {
    name: 'demo-delivered', type: 'directory', description: 'Completed demo uploads are delivered here', config: { path: deliveryFolder },
  });
  const flow = await tenancy.flows.create(org.id, {
    name: 'demo-flow',
    sources: [{ endpointId: sftp.id, path: '/' }],
    targets: [{ endpointId: folder.id, path: '/' }],
  });
  const source = flow.sources[0]!;
  const password = randomBytes(12).toString('base64url');
  const user = await tenancy.users.create(source.id, { username: 'demo', password });
  return { username: user.username, password, deliveryFolder, flowEndpointId: source.id };
}
