// The benchmark's arithmetic and its table: medians, ratios, verdicts, formatting.
import { describe, expect, it } from 'vitest';
import { percentile, summarize } from '../../bench/stats.js';
import { evaluate, formatNumber, markdownTable, markdownTables, renderReport, type Figure } from '../../bench/report.js';

const throughput: Figure = { scenario: 'put 1 GiB', name: 'throughput', unit: 'MiB/s', better: 'higher', target: { kind: 'ratio', op: '>=', value: 1.5 }, vs: 'OpenSSH' };
const latency: Figure = { scenario: 'rename → webhook', name: 'p50', unit: 'ms', better: 'lower', target: { kind: 'max', value: 100 } };

describe('summarize', () => {
  it('gives median, min and max of odd and even counts', () => {
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4 });
  });
  it('ignores non-finite samples and has nothing to say about none', () => {
    expect(summarize([NaN, 2, Infinity])).toEqual({ n: 1, median: 2, min: 2, max: 2 });
    expect(summarize([])).toBeUndefined();
    expect(summarize([NaN])).toBeUndefined();
  });
});

describe('percentile', () => {
  it('interpolates between the closest ranks, so p50 is the median', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(summarize([4, 1, 3, 2])!.median);
    expect(percentile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8);
    expect(percentile(Array.from({ length: 101 }, (_, i) => 100 - i), 0.95)).toBe(95);
    expect(percentile([7, 3], 0)).toBe(3);
    expect(percentile([7, 3], 1)).toBe(7);
    expect(percentile([42], 0.95)).toBe(42);
  });
  it('ignores non-finite samples, is NaN without samples and refuses a p outside [0, 1]', () => {
    expect(percentile([NaN, 2, 4], 0.5)).toBe(3);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 95)).toThrow(RangeError);
  });
});

describe('evaluate', () => {
  it('takes the ratio of medians, thru-sftp over OpenSSH', () => {
    const r = evaluate(throughput, [300, 310, 900], [200, 100, 210]);
    expect(r.ratio).toBeCloseTo(310 / 200);
    expect(r.verdict).toBe('pass');
  });
  it('fails a ratio target that is missed, in either direction', () => {
    expect(evaluate(throughput, [290], [200]).verdict).toBe('fail');
    const login: Figure = { scenario: 'login', name: 'time', unit: 'ms', better: 'lower', target: { kind: 'ratio', op: '<=', value: 0.2 } };
    expect(evaluate(login, [20], [100]).verdict).toBe('pass');
    expect(evaluate(login, [21], [100]).verdict).toBe('fail');
  });
  it('holds an absolute target against the worst sample', () => {
    const rss: Figure = { scenario: 'put', name: 'server peak RSS', unit: 'MiB', better: 'lower', target: { kind: 'max', value: 128 } };
    expect(evaluate(rss, [100, 120, 127], [30]).verdict).toBe('pass');
    expect(evaluate(rss, [100, 120, 129], [30]).verdict).toBe('fail');
  });
  it('holds a figure of thru-sftp alone to its target, with no baseline and no ratio', () => {
    const r = evaluate(latency, [3, 2, 120]);
    expect(r).toMatchObject({ baseline: undefined, ratio: undefined, verdict: 'fail' });
    expect(evaluate(latency, [3, 2, 99]).verdict).toBe('pass');
  });
  it('judges nothing without a target or without samples', () => {
    const cpu: Figure = { scenario: 'put', name: 'CPU', unit: 's', better: 'lower' };
    expect(evaluate(cpu, [1], [2]).verdict).toBe('n/a');
    const missing = evaluate(throughput, [], [200]);
    expect(missing.verdict).toBe('n/a');
    expect(missing.ratio).toBeUndefined();
  });
});

describe('formatting', () => {
  it('keeps about three significant digits', () => {
    expect(formatNumber(1234.5)).toBe('1235');
    expect(formatNumber(45.67)).toBe('45.7');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(0.0123)).toBe('0.012');
  });

  it('prints one row per figure with spread, ratio, target and verdict', () => {
    const table = markdownTable([
      evaluate(throughput, [300, 320, 310], [200, 190, 210]),
      evaluate({ ...throughput, scenario: 'get | 1 GiB', target: { kind: 'ratio', op: '>=', value: 1.1 } }, [100], [200]),
      evaluate({ scenario: 'idle', name: 'RSS', unit: 'MiB', better: 'lower', target: { kind: 'max', value: 512 }, vs: 'OpenSSH' }, [150], []),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\| scenario \| figure \| thru-sftp median/);
    expect(lines[2]).toBe('| put 1 GiB | throughput, MiB/s (higher is better) | 310 (300–320) | 200 (190–210) | 1.55x | ≥ 1.5x | pass |');
    expect(lines[3]).toContain('get \\| 1 GiB');
    expect(lines[3]).toContain('| 0.50x | ≥ 1.1x | **FAIL** |');
    expect(lines[4]).toBe('| idle | RSS, MiB (lower is better) | 150 | – | – | ≤ 512 MiB | pass |');
  });

  it('leaves the baseline columns out for figures of thru-sftp alone', () => {
    const lines = markdownTable([evaluate(latency, [2.5, 3.5])]).split('\n');
    expect(lines[0]).toBe('| scenario | figure | thru-sftp median (min–max) | target | result |');
    expect(lines[2]).toBe('| rename → webhook | p50, ms (lower is better) | 3.00 (2.50–3.50) | ≤ 100 ms | pass |');
  });

  it('names the baseline in the columns and heads one table per baseline when there are several', () => {
    const sdk = evaluate({ ...throughput, scenario: 'put to S3', target: { kind: 'ratio', op: '>=', value: 0.8 }, vs: 'direct SDK upload' }, [90], [100]);
    const openssh = evaluate(throughput, [300], [200]);
    expect(markdownTables([openssh, openssh])).toBe(markdownTable([openssh, openssh]));
    const tables = markdownTables([openssh, evaluate(latency, [3]), sdk, openssh]);
    const headings = tables.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual(['### thru-sftp vs OpenSSH', '### thru-sftp alone', '### thru-sftp vs direct SDK upload']);
    expect(tables).toContain('| direct SDK upload median (min–max) | thru/direct SDK upload |');
    expect(tables).toContain('| put to S3 | throughput, MiB/s (higher is better) | 90.0 | 100 | 0.90x | ≥ 0.8x | pass |');
    // Both OpenSSH figures share the first table.
    const first = tables.slice(0, tables.indexOf('### thru-sftp alone'));
    expect(first.match(/^\| put 1 GiB \|/gm)).toHaveLength(2);
  });

  it('renders a report with facts, the table, a tally and notes', () => {
    const report = renderReport({ title: 'T', facts: [['machine', '2 cores']], notes: ['a note'] }, [evaluate(throughput, [300], [100]), evaluate(throughput, [100], [100])]);
    expect(report).toContain('# T\n\n- machine: 2 cores\n');
    expect(report).toContain('Targets met: 1 of 2.');
    expect(report).toContain('## Notes\n\n- a note');
  });
});
