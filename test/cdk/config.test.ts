// Stage settings: defaults in code, cdk.json overrides merged per stage, and bad
// settings refused before anything is synthesized.
import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveStageConfig } from '../../lib/config.js';

describe('stage config', () => {
  it('defaults to dev, with the code defaults', () => {
    expect(resolveStageConfig(undefined, undefined)).toEqual({ ...DEFAULTS.dev, stage: 'dev' });
  });

  it('gives prod longer draining, versioning, retained data and a year of logs', () => {
    const prod = resolveStageConfig('prod', {});
    expect(prod).toMatchObject({ stage: 'prod', drainSeconds: 1800, bucketVersioning: true, retainData: true, logRetentionDays: 365 });
  });

  it('merges the stage\'s overrides from cdk.json into nested settings, and only that stage\'s', () => {
    const overrides = { prod: { tasks: { max: 20 }, elasticIps: true }, dev: { architecture: 'x86_64' } };
    const prod = resolveStageConfig('prod', overrides);
    expect(prod.tasks).toEqual({ ...DEFAULTS.prod.tasks, max: 20 });
    expect(prod.elasticIps).toBe(true);
    expect(prod.architecture).toBe('arm64');
  });

  it('replaces lists instead of merging them', () => {
    expect(resolveStageConfig('dev', { dev: { sftpIngressCidrs: ['198.51.100.0/24'] } }).sftpIngressCidrs).toEqual(['198.51.100.0/24']);
  });

  it('refuses an unknown stage, an unknown setting, fewer than two tasks and a malformed CIDR', () => {
    expect(() => resolveStageConfig('staging', {})).toThrow(/unknown stage "staging"/);
    expect(() => resolveStageConfig('dev', { dev: { taskCount: 3 } })).toThrow(/taskCount/);
    expect(() => resolveStageConfig('dev', { dev: { tasks: { min: 1 } } })).toThrow(/tasks\.min/);
    expect(() => resolveStageConfig('dev', { dev: { tasks: { min: 4, max: 3 } } })).toThrow(/tasks\.max must be >= tasks\.min/);
    expect(() => resolveStageConfig('dev', { dev: { sftpIngressCidrs: ['10.0.0.0'] } })).toThrow(/sftpIngressCidrs\.0/);
  });
});
