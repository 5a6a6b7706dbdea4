// `thru-sftp import transfer-family`: reads an AWS Transfer Family server's users with the
// AWS SDK (default credentials) and creates them through the admin API. The logic is in
// src/migrate; this only parses options and prints the report.
import { Command, Option } from 'commander';
import { PERMISSIONS, type Permission } from '../core/model.js';
import { importTransferFamilyUsers } from '../migrate/transfer-family.js';
import { formatReport } from '../migrate/report.js';
import { NotServiceManaged, readServer, transferClient } from '../migrate/transfer-family-users.js';
import { ApiError, CliFailure, type AdminClient } from './client.js';

interface ImportOptions {
  serverId: string;
  flowEndpoint: string;
  region?: string;
  base?: string;
  permissions?: string;
  dryRun?: boolean;
  json?: boolean;
}

function permissionsOf(value: string | undefined): Permission[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = list.find((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown) throw new CliFailure(`--permissions: "${unknown}" is not one of ${PERMISSIONS.join(',')}`);
  return list as Permission[];
}

export function importCommand(api: (cmd: Command) => AdminClient): Command {
  const command = new Command('import').description('bring users over from another SFTP service');
  command
    .command('transfer-family')
    .description('create the service-managed users of an AWS Transfer Family server (keys, homes) in a flow endpoint; existing users are never changed')
    .requiredOption('--server-id <id>', 'Transfer Family server, s-...')
    .requiredOption('--flow-endpoint <id>', 'flow endpoint the users are created in (see `flows list`)')
    .addOption(new Option('--region <region>', 'AWS region of the server (default: the SDK\'s)').env('AWS_REGION'))
    .option('--base <path>', 'Transfer Family path matching the flow endpoint folder, e.g. /bucket/home: homes keep their path below it (default: each home\'s last folder)')
    .option('--permissions <list>', `permissions of the users created (default: all: ${PERMISSIONS.join(',')})`)
    .option('--dry-run', 'print the report without creating anything')
    .option('--json', 'print the report as JSON')
    .action(async (o: ImportOptions, cmd: Command) => {
      const permissions = permissionsOf(o.permissions);
      const client = api(cmd);
      let server;
      try {
        server = await readServer(transferClient(o.region ? { region: o.region } : {}), o.serverId);
      } catch (err) {
        if (err instanceof NotServiceManaged) throw new CliFailure(err.message);
        throw new CliFailure(`cannot read Transfer Family server ${o.serverId}: ${(err as Error).name}: ${(err as Error).message}`);
      }
      const report = await importTransferFamilyUsers({ api: client, server, flowEndpointId: o.flowEndpoint, base: o.base, permissions, dryRun: o.dryRun }).catch((err: unknown) => {
        throw err instanceof ApiError ? err : new CliFailure((err as Error).message);
      });
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      // The report already says which users failed and why.
      if (report.counts.failed > 0) throw new CliFailure(`${report.counts.failed} user(s) could not be created`, { silent: true });
    });
  return command;
}
