// The Docker image's contents, as far as a machine without a Docker engine allows:
// the build context exactly as CDK stages it for `docker build`, the builder stage's
// steps run on it, the runtime stage's layout assembled from the builder's output,
// and the server started from that bundle and checked with the image's own health
// check and a real SFTP login.
//
// Stand-ins, and why: `apt-get install` and `npm ci` are replaced by this repository's
// node_modules (installed from the same lockfile, with the same patch and the same
// native builds), and `npm prune --omit=dev` is skipped (it would prune that shared
// tree). bin/fargate.ts is still a placeholder (the AWS runtime issue), so the bundle's
// local entry (dist/bin/local.js, same server code) is what gets started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../../lib/paths.js';
import { CONTAINER_HEALTHCHECK } from '../../lib/sftp-service/index.js';
import { buildTestStacks } from './support/app.js';
import { copiesOf, execForm, parseDockerfile, type DockerStage } from './support/dockerfile.js';

/** Builder steps this machine replaces with the repository's own install (see above). */
const STAND_IN = [/^apt-get\b/, /^npm ci\b/, /^npm prune\b/];

let work: string;
let context: string;
let builder: DockerStage;
let runtime: DockerStage;
let app: string;
let image: string;

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
    server.once('error', fail);
  });
}

/** Runs the image's HEALTHCHECK command in the bundle against a port. */
async function healthcheck(port: number): Promise<{ status: number | null; stderr: string }> {
  const [cmd, ...args] = execForm(runtime, 'HEALTHCHECK');
  const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, { cwd: image, env: { ...process.env, THRU_SFTP_PORT: String(port) } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const status = await new Promise<number | null>((ok) => child.once('exit', ok));
  return { status, stderr };
}

function run(cwd: string, command: string): void {
  const result = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`"${command}" failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'thru-image-'));
  // The build context exactly as `cdk deploy` hands it to docker build (.dockerignore applied).
  const { app: cdkApp, stateless } = buildTestStacks();
  const assembly = cdkApp.synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stateless.artifactId}.assets.json`), 'utf8')) as {
    dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }>;
  };
  const images = Object.values(manifest.dockerImages);
  expect(images).toHaveLength(1);
  context = join(assembly.directory, images[0]!.source.directory);

  const stages = parseDockerfile(readFileSync(join(context, 'Dockerfile'), 'utf8'));
  builder = stages.find((s) => s.name === 'builder')!;
  runtime = stages.at(-1)!;

  // Builder stage: WORKDIR /app, the context copied in, its RUN steps.
  app = join(work, 'builder');
  cpSync(context, app, { recursive: true });
  symlinkSync(repoPath('node_modules'), join(app, 'node_modules'), 'dir');
  for (const step of builder.instructions.filter((i) => i.op === 'RUN')) {
    if (STAND_IN.some((re) => re.test(step.args))) continue;
    run(app, step.args);
  }

  // Runtime stage: what it copies from the builder (node_modules linked, not copied).
  image = join(work, 'image');
  mkdirSync(image);
  for (const copy of copiesOf(runtime).filter((c) => c.from === 'builder')) {
    for (const source of copy.sources) {
      const name = source.replace(/^\/app\//, '');
      if (name === 'node_modules') symlinkSync(repoPath('node_modules'), join(image, 'node_modules'), 'dir');
      else cpSync(join(app, name), join(image, copy.dest.replace(/^\.\//, '')), { recursive: true });
    }
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('builds in a builder stage with compilers and ships a runtime stage without them, as a non-root user', () => {
    expect(builder.instructions.some((i) => i.op === 'RUN' && /apt-get install .*\bg\+\+.*\bmake\b.*\bpython3\b/.test(i.args))).toBe(true);
    expect(builder.instructions.some((i) => i.op === 'RUN' && i.args.startsWith('npm ci'))).toBe(true);
    expect(runtime.instructions.some((i) => i.op === 'RUN' && i.args.includes('apt-get'))).toBe(false);
    const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('copies patches/ before npm ci, so the ssh2 patch is applied by postinstall', () => {
    const order = builder.instructions.map((i) => `${i.op} ${i.args}`);
    const patches = order.findIndex((i) => i.startsWith('COPY patches'));
    const install = order.findIndex((i) => i.startsWith('RUN npm ci'));
    expect(patches).toBeGreaterThanOrEqual(0);
    expect(patches).toBeLessThan(install);
  });

  it('only copies what the build context (after .dockerignore) contains', () => {
    for (const copy of copiesOf(builder)) for (const source of copy.sources) expect(existsSync(join(context, source)), source).toBe(true);
    // And nothing the image does not need: no tests, no CDK app, no local state.
    for (const absent of ['node_modules', 'test', 'lib', 'cdk.out', 'data', 'bin/cdk.ts']) expect(existsSync(join(context, absent)), absent).toBe(false);
  });

  it('has the health check the ECS task definition runs', () => {
    expect(['CMD', ...execForm(runtime, 'HEALTHCHECK')]).toEqual(CONTAINER_HEALTHCHECK);
  });
});

describe('the bundle the Dockerfile builds', () => {
  let server: ChildProcess | undefined;
  let port: number;
  let password: string;

  beforeAll(async () => {
    port = await freePort();
    const data = join(work, 'data');
    server = spawn(process.execPath, ['dist/bin/local.js'], {
      cwd: image,
      env: { ...process.env, THRU_SFTP_PORT: String(port), THRU_ADMIN_PORT: '0', THRU_BIND: '127.0.0.1', THRU_DATA_DIR: data, THRU_DEMO: 'true', THRU_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    password = await new Promise<string>((ok, fail) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /password: (\S+)/.exec(output);
        if (match) ok(match[1]!);
      });
      server!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      server!.once('exit', (code) => fail(new Error(`the server exited (${code}):\n${output}`)));
    });
  }, 60_000);

  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('contains the image\'s entry point and its health check script', () => {
    expect(existsSync(join(image, execForm(runtime, 'CMD')[1]!))).toBe(true);
    expect(existsSync(join(image, execForm(runtime, 'HEALTHCHECK')[1]!))).toBe(true);
    expect(JSON.parse(readFileSync(join(image, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
  });

  it('has ssh2\'s native crypto binding (the check the builder stage runs)', () => {
    const check = builder.instructions.find((i) => i.op === 'RUN' && i.args.includes('bindingAvailable'));
    expect(check).toBeDefined();
    expect(() => run(image, check!.args)).not.toThrow();
  });

  it('serves SFTP: the image\'s health check passes, a partner logs in, uploads and lists the file', async () => {
    const healthy = await healthcheck(port);
    expect(healthy.status, healthy.stderr).toBe(0);

    const names = await new Promise<string[]>((ok, fail) => {
      const client = new Client();
      client
        .on('ready', () => {
          client.sftp((err, sftp) => {
            if (err) return fail(err);
            sftp.writeFile('/probe.txt', 'from the image bundle\n', (werr) => {
              if (werr) return fail(werr);
              sftp.readdir('/', (e, list) => {
                client.end();
                if (e) fail(e);
                else ok(list.map((f) => f.filename));
              });
            });
          });
        })
        .on('error', fail)
        .connect({ host: '127.0.0.1', port, username: 'demo', password, readyTimeout: 20_000 });
    });
    expect(names).toContain('probe.txt');
  });

  it('reports unhealthy when nothing speaks SSH on the port', async () => {
    const closed = await healthcheck(await freePort());
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/unhealthy: .*ECONNREFUSED/);
    // A port that answers, but not with SSH.
    const other = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    const notSsh = await healthcheck((other.address() as { port: number }).port);
    other.close();
    expect(notSsh.status).toBe(1);
    expect(notSsh.stderr).toMatch(/does not speak SSH/);
  });
});
