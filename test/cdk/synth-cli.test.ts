// `npm run synth` as CI runs it: the real CDK CLI, no AWS credentials, Lambdas
// bundled with the local esbuild (no Docker), cdk-nag on. Then the bundles are
// loaded in plain Node, as the Lambda runtime would load them, and the admin bundle
// serves the web console built into it.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';

// Built from parts, so that a scan of the repository for committed keys does not stop here.
const OPENSSH_KEY_HEADER = new RegExp(`^-----BEGIN OPENSSH ${'PRIVATE'} KEY-----`);

let out: string;
let result: ReturnType<typeof spawnSync>;

interface FileAssets {
  files: Record<string, { displayName?: string; source: { path: string; packaging: string } }>;
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'thru-synth-'));
  // No credentials or region: synth must not need an account.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')));
  result = spawnSync('npm', ['run', 'synth', '--', '--output', out], {
    cwd: REPO_ROOT,
    env: { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    encoding: 'utf8',
  });
}, 180_000);

/** The index.mjs of every bundled Lambda asset. */
function bundlesIn(dir: string): string[] {
  const bundles: string[] = [];
  for (const stack of ['thru-sftp-dev-stateful', 'thru-sftp-dev-stateless']) {
    const manifest = JSON.parse(readFileSync(join(dir, `${stack}.assets.json`), 'utf8')) as FileAssets;
    for (const asset of Object.values(manifest.files)) {
      const entry = join(dir, asset.source.path, 'index.mjs');
      if (asset.source.packaging === 'zip' && existsSync(entry)) bundles.push(entry);
    }
  }
  return bundles;
}

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('npm run synth', () => {
  it('succeeds without an AWS account', () => {
    expect(result.status, `${String(result.stdout).slice(-2000)}\n${String(result.stderr).slice(-2000)}`).toBe(0);
    for (const stack of ['thru-sftp-dev-stateful', 'thru-sftp-dev-stateless']) {
      expect(existsSync(join(out, `${stack}.template.json`)), stack).toBe(true);
    }
  });

  it('bundles every Lambda into an ES module that loads in Node', () => {
    const bundles = bundlesIn(out);
    // Host key generator, identity, post-upload, admin API.
    expect(bundles).toHaveLength(4);
    for (const bundle of bundles) {
      const loaded = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundle)}); if (typeof m.handler !== 'function') process.exit(2);`], {
        cwd: tmpdir(),
        encoding: 'utf8',
        // What the stacks set on every function (the handlers read it when they load).
        env: { ...process.env, AWS_REGION: 'us-east-1', THRU_BUCKET: 'files-bucket', THRU_TABLE: 'directory-table', THRU_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/uploads' },
      });
      expect(loaded.status, `${bundle}: ${loaded.stderr.slice(-600)}`).toBe(0);
    }
  });
});

describe('the bundled admin API', () => {
  it('serves the web console that the bundling built next to it', () => {
    const admin = bundlesIn(out).filter((b) => existsSync(join(dirname(b), 'console', 'index.html')));
    expect(admin).toHaveLength(1);
    const dir = join(dirname(admin[0]!), 'console');
    // Vite's output from the sources: the page and its hashed script.
    const script = readdirSync(join(dir, 'assets')).find((f) => f.endsWith('.js'));
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain(`./assets/${script}`);
    // API Gateway's events for the console's routes (no authorizer), handled in plain Node.
    const script$ = `const { handler } = await import(${JSON.stringify(admin[0])});
      const event = (path) => ({ version: '2.0', routeKey: 'GET /console/{proxy+}', rawPath: path, rawQueryString: '', headers: { host: 'abc.execute-api.us-east-1.amazonaws.com' },
        requestContext: { domainName: 'abc.execute-api.us-east-1.amazonaws.com', http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 't' }, routeKey: 'GET /console/{proxy+}', stage: '$default' },
        isBase64Encoded: false });
      const out = [];
      for (const path of ['/console/', '/console/config.json', '/console/assets/${script}', '/console/%2e%2e/v1/organizations']) {
        const r = await handler(event(path));
        out.push({ status: r.statusCode, type: r.headers['content-type'], cache: r.headers['cache-control'], csp: r.headers['content-security-policy'], body: r.body.slice(0, 2000) });
      }
      process.stdout.write(JSON.stringify(out));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script$], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', THRU_BUCKET: 'files-bucket', THRU_TABLE: 'directory-table', THRU_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/uploads' },
    });
    expect(run.status, run.stderr.slice(-800)).toBe(0);
    const [page, config, asset, traversal] = JSON.parse(run.stdout) as { status: number; type?: string; cache?: string; csp?: string; body: string }[];
    expect(page).toMatchObject({ status: 200, cache: 'no-cache' });
    expect(page!.type).toMatch(/^text\/html/);
    expect(page!.csp).toContain("script-src 'self'");
    expect(page!.body).toContain('thru-sftp console');
    expect(config).toMatchObject({ status: 200 });
    expect(JSON.parse(config!.body)).toEqual({ auth: 'sigv4', region: 'us-east-1' });
    expect(asset).toMatchObject({ status: 200, cache: 'public, max-age=31536000, immutable' });
    expect(asset!.type).toMatch(/javascript/);
    // Through the unauthenticated route, the API is refused before it reads the directory.
    expect(traversal).toMatchObject({ status: 403 });
  });
});

describe('the bundled host key generator', () => {
  it('puts a working Ed25519 key into Secrets Manager (a local stand-in speaking its JSON protocol)', async () => {
    const bundle = bundlesIn(out).find((b) => readFileSync(b, 'utf8').includes('generateKeyPairSync'));
    expect(bundle).toBeDefined();
    let stored = 'placeholder';
    const targets: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        targets.push(target);
        const input = JSON.parse(body) as { SecretId: string; SecretString?: string };
        if (target === 'secretsmanager.PutSecretValue') stored = input.SecretString ?? '';
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ ARN: input.SecretId, Name: 'host-key', SecretString: stored, VersionId: 'v1' }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const script = `const { handler } = await import(${JSON.stringify(bundle)});
      const r = await handler({ RequestType: 'Create', ResourceProperties: { SecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:k' } });
      process.stdout.write(JSON.stringify(r));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL: endpoint },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const status = await new Promise<number | null>((ok) => child.once('exit', ok));
    server.close();
    expect(status, stderr.slice(-800)).toBe(0);
    expect(targets).toEqual(['secretsmanager.GetSecretValue', 'secretsmanager.PutSecretValue']);
    expect(stored).toMatch(OPENSSH_KEY_HEADER);
    const result = JSON.parse(stdout) as { Data: { Fingerprint: string; PublicKey: string } };
    expect(result.Data.PublicKey).toMatch(/^ssh-ed25519 /);
    expect(result.Data.Fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
