// Builds the CDK app the way `cdk synth` does (cdk.json's context, feature flags
// included), with per-test stage overrides and, by default, no Lambda bundling:
// these tests look at templates, not at bundles.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { buildThruSftp, type ThruSftpStacks } from '../../../lib/app.js';
import { CONFIG_CONTEXT_KEY, type Stage } from '../../../lib/config.js';
import { repoPath } from '../../../lib/paths.js';

const outdirs: string[] = [];
// Registered on the suite of the test file that imports this module.
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface TestAppOptions {
  stage?: Stage;
  /** Overrides of the stage's settings, as they would appear in cdk.json. */
  overrides?: Record<string, unknown>;
  bundling?: boolean;
}

export interface TestApp extends ThruSftpStacks {
  app: App;
  stateful$: Template;
  stateless$: Template;
}

/** The app's stacks, not synthesized yet. */
export function buildTestStacks(options: TestAppOptions = {}): ThruSftpStacks & { app: App } {
  const stage = options.stage ?? 'dev';
  const outdir = mkdtempSync(join(tmpdir(), 'thru-cdk-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      stage,
      [CONFIG_CONTEXT_KEY]: { [stage]: options.overrides ?? {} },
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  return { app, ...buildThruSftp(app) };
}

/** The app's stacks and their templates; synthesis runs the cdk-nag checks and throws on a finding. */
export function buildTestApp(options: TestAppOptions = {}): TestApp {
  const built = buildTestStacks(options);
  return { ...built, stateful$: Template.fromStack(built.stateful), stateless$: Template.fromStack(built.stateless) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Properties of the only resource of a type (fails if there is not exactly one). */
export function only(template: Template, type: string): Record<string, unknown> {
  const found = Object.values(template.findResources(type) as Resources);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!.Properties ?? {};
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export interface AttachedStatement {
  /** Logical id of the AWS::IAM::Policy or AWS::IAM::ManagedPolicy. */
  policy: string;
  /** Logical ids of the roles an inline policy is attached to (managed policies: none). */
  roles: string[];
  statement: Statement;
}

/** Every statement of every inline and managed policy in a template. */
export function policyStatements(template: Template): AttachedStatement[] {
  const out: AttachedStatement[] = [];
  for (const [policy, r] of Object.entries(template.toJSON().Resources as Resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const roles = ((r.Properties?.Roles ?? []) as { Ref?: string }[]).map((x) => x.Ref ?? '');
    const doc = r.Properties?.PolicyDocument as { Statement: Statement[] };
    for (const statement of doc.Statement) out.push({ policy, roles, statement });
  }
  return out;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
