// `thru-sftp`: the admin API from a shell, for scripting and onboarding. Every command
// is one or a few API calls; results are printed as JSON on stdout.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { AdminClient, ApiError, CliFailure } from './client.js';
import { importCommand } from './import-command.js';
import { smokeCommand } from './smoke-command.js';

interface Org { id: string; name: string }
interface FlowEndpoint { id: string; endpointId: string; role: string; path: string }
interface Flow { id: string; orgId: string; name: string; sources: FlowEndpoint[]; targets: FlowEndpoint[] }
interface User { id: string; username: string }

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const collect = (value: string, previous: string[] = []) => [...previous, value];
const enc = encodeURIComponent;

/** "ep-123" or "ep-123:/in/acme" */
function flowEndpointArg(value: string) {
  const i = value.indexOf(':');
  return i < 0 ? { endpointId: value } : { endpointId: value.slice(0, i), path: value.slice(i + 1) };
}

/** A key argument is a .pub / authorized_keys file, or a key line itself. */
function keyLines(value: string): string[] {
  if (!existsSync(value)) return [value];
  return readFileSync(value, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Token from --token, THRU_ADMIN_TOKEN, or the file `npm start` keeps in the data directory. */
function tokenOf(option: string | undefined): string {
  if (option) return option;
  const file = join(process.env.THRU_DATA_DIR || './data', 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new ApiError(0, 'no_token', `no admin token: pass --token, set THRU_ADMIN_TOKEN, or run from the folder whose ${file} npm start wrote`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function buildProgram(): Command {
  const program = new Command('thru-sftp')
    .description('Manage thru-sftp organizations, endpoints, flows and partner users through the admin API.')
    .addOption(new Option('--url <url>', 'admin API base URL').env('THRU_ADMIN_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'admin token (default: data/admin-token)').env('THRU_ADMIN_TOKEN'))
    .showHelpAfterError();

  const api = (cmd: Command) => {
    const o = cmd.optsWithGlobals<{ url: string; token?: string }>();
    return new AdminClient(`${o.url.replace(/\/+$/, '')}/v1/`, tokenOf(o.token));
  };

  /** A user id, or a username found by walking organizations, flows and flow endpoints. */
  async function resolveUser(client: AdminClient, ref: string): Promise<string> {
    if (/^usr-[0-9a-f]{16}$/.test(ref)) return ref;
    for (const org of await client.all<Org>('organizations')) {
      for (const flow of await client.all<Flow>(`organizations/${org.id}/flows`)) {
        for (const fe of [...flow.sources, ...flow.targets]) {
          const user = (await client.all<User>(`flow-endpoints/${fe.id}/users`)).find((u) => u.username === ref);
          if (user) return user.id;
        }
      }
    }
    throw new ApiError(404, 'not_found', `no user named "${ref}"`);
  }

  const orgs = program.command('orgs').description('organizations');
  orgs.command('list').action(async (_o, cmd: Command) => print(await api(cmd).all('organizations')));
  orgs.command('create <name>').action(async (name: string, _o, cmd: Command) => print(await api(cmd).request('POST', 'organizations', { name })));
  orgs.command('get <orgId>').action(async (id: string, _o, cmd: Command) => print(await api(cmd).request('GET', `organizations/${enc(id)}`)));
  orgs.command('rename <orgId> <name>').action(async (id: string, name: string, _o, cmd: Command) => print(await api(cmd).request('PATCH', `organizations/${enc(id)}`, { name })));
  orgs.command('delete <orgId>').option('--cascade', 'also delete its endpoints, flows and users')
    .action(async (id: string, o: { cascade?: boolean }, cmd: Command) => api(cmd).request('DELETE', `organizations/${enc(id)}${o.cascade ? '?cascade=true' : ''}`));

  const endpoints = program.command('endpoints').description('endpoints of an organization');
  endpoints.command('list').requiredOption('--org <orgId>')
    .action(async (o: { org: string }, cmd: Command) => print(await api(cmd).all(`organizations/${enc(o.org)}/endpoints`)));
  endpoints.command('create').requiredOption('--org <orgId>').requiredOption('--name <name>')
    .addOption(new Option('--type <type>').choices(['thru-sftp-server', 's3', 'webhook', 'directory']).default('thru-sftp-server'))
    .option('--description <text>')
    .option('--idle-timeout <seconds>', 'thru-sftp-server: idle timeout', (v) => Number(v))
    .option('--path <folder>', 'directory: folder on the server')
    .option('--bucket <bucket>', 's3: bucket').option('--prefix <prefix>', 's3: key prefix')
    .option('--webhook-url <url>', 'webhook: URL').option('--webhook-secret <secret>', 'webhook: HMAC secret')
    .action(async (o: Record<string, string | number | undefined>, cmd: Command) => {
      const config = Object.fromEntries(Object.entries({
        idleTimeoutSeconds: o.idleTimeout, path: o.path, bucket: o.bucket, prefix: o.prefix, url: o.webhookUrl, secret: o.webhookSecret,
      }).filter(([, v]) => v !== undefined));
      print(await api(cmd).request('POST', `organizations/${enc(String(o.org))}/endpoints`, {
        name: o.name, type: o.type, ...(o.description === undefined ? {} : { description: o.description }), ...(Object.keys(config).length ? { config } : {}),
      }));
    });
  endpoints.command('get <endpointId>').action(async (id: string, _o, cmd: Command) => print(await api(cmd).request('GET', `endpoints/${enc(id)}`)));
  endpoints.command('delete <endpointId>').option('--cascade', 'also remove it from flows, with the users created there')
    .action(async (id: string, o: { cascade?: boolean }, cmd: Command) => api(cmd).request('DELETE', `endpoints/${enc(id)}${o.cascade ? '?cascade=true' : ''}`));

  const flows = program.command('flows').description('flows: sources (uploads) to targets (deliveries)');
  flows.command('list').option('--org <orgId>', 'one organization (default: all)')
    .action(async (o: { org?: string }, cmd: Command) => {
      const client = api(cmd);
      const orgIds = o.org ? [o.org] : (await client.all<Org>('organizations')).map((org) => org.id);
      const all: unknown[] = [];
      for (const id of orgIds) all.push(...(await client.all(`organizations/${enc(id)}/flows`)));
      print(all);
    });
  flows.command('create').requiredOption('--org <orgId>').requiredOption('--name <name>')
    .requiredOption('--source <endpointId[:path]>', 'source (repeatable)', collect)
    .option('--target <endpointId[:path]>', 'target (repeatable)', collect)
    .action(async (o: { org: string; name: string; source: string[]; target?: string[] }, cmd: Command) =>
      print(await api(cmd).request('POST', `organizations/${enc(o.org)}/flows`, { name: o.name, sources: o.source.map(flowEndpointArg), targets: (o.target ?? []).map(flowEndpointArg) })));
  flows.command('get <flowId>').action(async (id: string, _o, cmd: Command) => print(await api(cmd).request('GET', `flows/${enc(id)}`)));
  flows.command('delete <flowId>').option('--cascade', 'also delete its users')
    .action(async (id: string, o: { cascade?: boolean }, cmd: Command) => api(cmd).request('DELETE', `flows/${enc(id)}${o.cascade ? '?cascade=true' : ''}`));

  const users = program.command('users').description('partner users (<user> is a user id or a username)');
  users.command('create <username>').description('create a partner user in a flow endpoint')
    .requiredOption('--flow-endpoint <id>', 'flow endpoint to create the user in (see `flows list`)')
    .option('--key <file|line>', 'public key file (.pub, authorized_keys) or key line (repeatable)', collect)
    .option('--password-stdin', 'read the password from stdin')
    .option('--generate-password', 'generate a password and print it once')
    .option('--home <folder>', 'home folder inside the flow endpoint folder')
    .option('--permissions <list>', 'comma-separated: list,download,upload,overwrite,rename,delete,mkdir (default: all)')
    .option('--allow <cidr>', 'allowed source address or CIDR (repeatable)', collect)
    .option('--expires-at <iso>', 'e.g. 2030-01-31T00:00:00Z')
    .action(async (username: string, o: {
      flowEndpoint: string; key?: string[]; passwordStdin?: boolean; generatePassword?: boolean; home?: string; permissions?: string; allow?: string[]; expiresAt?: string;
    }, cmd: Command) => {
      if (o.passwordStdin && o.generatePassword) throw new ApiError(0, 'usage', 'use either --password-stdin or --generate-password');
      const password = o.passwordStdin ? await readStdin() : o.generatePassword ? randomBytes(15).toString('base64url') : undefined;
      const body = {
        username,
        ...(password === undefined ? {} : { password }),
        ...(o.key ? { publicKeys: o.key.flatMap(keyLines) } : {}),
        ...(o.home ? { homeDirectory: o.home } : {}),
        ...(o.permissions ? { permissions: o.permissions.split(',').map((p) => p.trim()).filter(Boolean) } : {}),
        ...(o.allow ? { allowedCidrs: o.allow } : {}),
        ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
      };
      const user = await api(cmd).request<object>('POST', `flow-endpoints/${enc(o.flowEndpoint)}/users`, body);
      print(o.generatePassword ? { ...user, password } : user);
    });
  users.command('list').requiredOption('--flow-endpoint <id>')
    .action(async (o: { flowEndpoint: string }, cmd: Command) => print(await api(cmd).all(`flow-endpoints/${enc(o.flowEndpoint)}/users`)));
  users.command('get <user>').action(async (ref: string, _o, cmd: Command) => {
    const client = api(cmd);
    print(await client.request('GET', `users/${await resolveUser(client, ref)}`));
  });
  for (const [name, enabled] of [['disable', false], ['enable', true]] as const) {
    users.command(`${name} <user>`).description(`${name} logins (applies to the next login)`).action(async (ref: string, _o, cmd: Command) => {
      const client = api(cmd);
      print(await client.request('PATCH', `users/${await resolveUser(client, ref)}`, { enabled }));
    });
  }
  users.command('delete <user>').action(async (ref: string, _o, cmd: Command) => {
    const client = api(cmd);
    await client.request('DELETE', `users/${await resolveUser(client, ref)}`);
  });
  users.command('add-key <user> <key>').description('add a public key (file or line)').action(async (ref: string, key: string, _o, cmd: Command) => {
    const client = api(cmd);
    const id = await resolveUser(client, ref);
    for (const line of keyLines(key)) print(await client.request('POST', `users/${id}/keys`, { publicKey: line }));
  });
  users.command('remove-key <user> <fingerprint>').action(async (ref: string, fingerprint: string, _o, cmd: Command) => {
    const client = api(cmd);
    await client.request('DELETE', `users/${await resolveUser(client, ref)}/keys/${enc(fingerprint)}`);
  });

  program.addCommand(importCommand(api));
  program.addCommand(smokeCommand(api));

  const transfers = program.command('transfers').description('completed uploads and their deliveries');
  transfers.command('list').requiredOption('--flow <flowId>')
    .action(async (o: { flow: string }, cmd: Command) => print(await api(cmd).all(`flows/${enc(o.flow)}/transfers`)));
  transfers.command('get <transferId>').action(async (id: string, _o, cmd: Command) => print(await api(cmd).request('GET', `transfers/${enc(id)}`)));
  transfers.command('retry <transferId>').description('queue dead deliveries again')
    .action(async (id: string, _o, cmd: Command) => print(await api(cmd).request('POST', `transfers/${enc(id)}/retry`)));

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof ApiError) {
      process.stderr.write(`thru-sftp: ${err.code}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof CliFailure) {
      if (!err.silent) process.stderr.write(`thru-sftp: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
