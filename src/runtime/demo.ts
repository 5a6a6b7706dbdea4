// First-start demo: an organization, an SFTP endpoint, a flow that delivers completed
// uploads into a local folder, and a user whose password is shown once. It lets a
// newcomer connect with `sftp` within a minute of `npm start`.
import { randomBytes } from 'node:crypto';
import { DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_TEMP_FILE_PATTERNS, PERMISSIONS, type Endpoint, type Flow, type User } from '../core/model.js';
import type { Directory } from '../core/ports/directory.js';
import { hashPassword } from '../core/passwords.js';
import { newId } from '../core/ids.js';

export interface Demo {
  username: string;
  password: string;
  deliveryFolder: string;
}

export async function isEmpty(directory: Directory): Promise<boolean> {
  return (await directory.organizations.list({ limit: 1 })).items.length === 0;
}

export async function createDemo(directory: Directory, deliveryFolder: string, now = new Date()): Promise<Demo> {
  const at = now.toISOString();
  const orgId = newId('org');
  await directory.organizations.create({ id: orgId, name: 'Demo', createdAt: at, updatedAt: at });
  const sftp: Endpoint = {
    id: newId('ep'), orgId, name: 'demo-sftp', type: 'thru-sftp-server',
    description: 'Demo SFTP endpoint', config: { idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS }, createdAt: at, updatedAt: at,
  };
  const folder: Endpoint = {
    id: newId('ep'), orgId, name: 'demo-delivered', type: 'directory',
    description: 'Completed demo uploads are delivered here', config: { path: deliveryFolder }, createdAt: at, updatedAt: at,
  };
  await directory.endpoints.create(sftp);
  await directory.endpoints.create(folder);
  const flowId = newId('flow');
  const source = { id: newId('fe'), flowId, orgId, endpointId: sftp.id, role: 'source' as const, path: '/', triggers: { tempFilePatterns: DEFAULT_TEMP_FILE_PATTERNS } };
  const flow: Flow = {
    id: flowId, orgId, name: 'demo-flow', enabled: true, createdAt: at, updatedAt: at,
    sources: [source],
    targets: [{ id: newId('fe'), flowId, orgId, endpointId: folder.id, role: 'target', path: '/' }],
  };
  await directory.flows.create(flow);
  const password = randomBytes(12).toString('base64url');
  const user: User = {
    id: newId('usr'), username: 'demo', orgId, flowEndpointId: source.id, passwordHash: await hashPassword(password),
    publicKeys: [], homeDirectory: '/', permissions: [...PERMISSIONS], allowedCidrs: [], enabled: true, createdAt: at, updatedAt: at,
  };
  await directory.users.create(user);
  return { username: user.username, password, deliveryFolder };
}
