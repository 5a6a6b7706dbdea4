// cdk-nag's AwsSolutions pack: no finding left unacknowledged, and every
// acknowledgement sits beside the resource it is about, says why, and is still
// needed (a stale one would hide a future finding).
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, buildTestStacks } from './support/app.js';

interface Finding {
  path: string;
  ruleId: string;
  acknowledged: boolean;
}

interface Acknowledgement {
  path: string;
  ruleId: string;
  reason: string;
  on: IConstruct;
}

/** Runs the pack over the app and records every finding, acknowledged or not. */
function auditFindings(app: App): Finding[] {
  const pack = new AwsSolutionsChecks(app);
  const findings: Finding[] = [];
  // isAcknowledged is private in cdk-nag 3; wrapping it is the only way to see suppressed findings.
  const target = pack as unknown as { isAcknowledged(resource: IConstruct, ruleId: string): boolean };
  const original = target.isAcknowledged.bind(pack);
  target.isAcknowledged = (resource, ruleId) => {
    const acknowledged = original(resource, ruleId);
    findings.push({ path: resource.node.path, ruleId, acknowledged });
    return acknowledged;
  };
  pack.validateScope(app);
  return findings;
}

function acknowledgementsOf(app: App): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        const ruleId = id.replace(/^annotation::/i, '');
        if (ruleId.startsWith('AwsSolutions-')) out.push({ path: c.node.path, ruleId, reason, on: c });
      }
    }
  }
  return out;
}

const variants = {
  'dev defaults': () => buildTestApp(),
  'prod with every option': () =>
    buildTestApp({
      stage: 'prod',
      overrides: {
        elasticIps: true,
        flowLogs: false,
        containerInsights: true,
        fargateSpot: true,
        deliveryBuckets: ['partner-drop'],
        customDomain: { name: 'sftp.example.com', hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
      },
    }),
  'Transfer Family front end': () => buildTestApp({ overrides: { frontEnd: 'transfer-family' } }),
};

describe.each(Object.entries(variants))('AwsSolutions checks, %s', (_name, build) => {
  let findings: Finding[];
  let acks: Acknowledgement[];
  beforeAll(() => {
    // buildTestApp synthesizes both stacks: an unacknowledged finding throws here.
    const { app } = build();
    findings = auditFindings(app);
    acks = acknowledgementsOf(app);
  });

  it('leaves no finding unacknowledged', () => {
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => !f.acknowledged)).toEqual([]);
  });

  it('acknowledges each finding beside its resource, with a reason', () => {
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      expect(Stack.isStack(a.on) || a.on.node.scope === undefined, `${a.path} ${a.ruleId} is stack-wide`).toBe(false);
      expect(a.reason.length, `${a.path} ${a.ruleId}`).toBeGreaterThanOrEqual(30);
    }
  });

  it('has no stale acknowledgement', () => {
    const used = (a: Acknowledgement) =>
      findings.some((f) => f.acknowledged && f.ruleId === a.ruleId && (f.path === a.path || f.path.startsWith(`${a.path}/`)));
    expect(acks.filter((a) => !used(a)).map((a) => `${a.path}: ${a.ruleId}`)).toEqual([]);
  });
});

describe('AwsSolutions checks, a resource without its acknowledgement', () => {
  it('fails synthesis', () => {
    const { stateful } = buildTestStacks();
    // Neither access logs nor a TLS-only policy.
    new s3.Bucket(stateful, 'Unchecked', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    expect(() => Template.fromStack(stateful)).toThrow(/AwsSolutions-S10/);
  });
});
