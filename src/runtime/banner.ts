// What `npm start` tells a person at the terminal: how to connect, where the admin
// API and the web console are, and secrets generated this start (shown once, never logged).
import type { Config } from '../config.js';
import type { LocalRuntime } from './local.js';

export type BannerFacts = Pick<LocalRuntime, 'sftpPort' | 'adminPort' | 'hostKeyFingerprint' | 'adminToken' | 'demo'>;

export function printBanner(runtime: BannerFacts, config: Config, title = 'thru-sftp is running', out: NodeJS.WritableStream = process.stdout): void {
  const host = config.publicHost ?? config.bind;
  const lines = [
    '',
    title,
    `  SFTP      sftp -P ${runtime.sftpPort} <user>@${host}`,
    `  host key  ${runtime.hostKeyFingerprint} (ssh-ed25519)`,
    `  admin API http://${host}:${runtime.adminPort}/v1/  (Authorization: Bearer <token>)`,
    `  console   http://${host}:${runtime.adminPort}/console/  (sign in with the admin token)`,
  ];
  if (runtime.adminToken.created) lines.push(`  admin token (new, kept in ${runtime.adminToken.file}): ${runtime.adminToken.token}`);
  else if (runtime.adminToken.file) lines.push(`  admin token in ${runtime.adminToken.file}`);
  // The CLI defaults to http://127.0.0.1:8080 and the token in ./data: say so when this server differs.
  const adminUrl = `http://${host}:${runtime.adminPort}`;
  const cliEnv = [
    adminUrl === 'http://127.0.0.1:8080' ? '' : `THRU_ADMIN_URL=${adminUrl} `,
    runtime.adminToken.file && config.dataDir !== './data' ? `THRU_DATA_DIR=${config.dataDir} ` : '',
  ].join('');
  if (runtime.demo) {
    lines.push(
      '',
      '  Demo account (created on this first start; the password is shown only now):',
      `    sftp -P ${runtime.sftpPort} ${runtime.demo.username}@${host}     password: ${runtime.demo.password}`,
      `    upload as a.csv.filepart and rename it to a.csv: it is delivered to ${runtime.demo.deliveryFolder}`,
      '  Add a partner to the demo flow:',
      `    ${cliEnv}npx thru-sftp users create <name> --flow-endpoint ${runtime.demo.flowEndpointId} --key ~/.ssh/id_ed25519.pub`,
    );
  }
  out.write(`${lines.join('\n')}\n\n`);
}
