// Figures, their targets and the markdown report: the ratio is always thru-sftp's
// median over its baseline's (OpenSSH, or a direct SDK upload), so "≥ 1.5x" reads as
// "at least 1.5 times the baseline's figure".
import { summarize, type Summary } from './stats.js';

export type Target =
  /** thru-sftp's median over the baseline's median. */
  | { kind: 'ratio'; op: '>=' | '<='; value: number }
  /** thru-sftp's worst sample, in the figure's unit. */
  | { kind: 'max'; value: number };

export interface Figure {
  /** Row label, e.g. "put 1 GiB". */
  scenario: string;
  /** What is measured, e.g. "throughput". */
  name: string;
  unit: string;
  better: 'higher' | 'lower';
  target?: Target;
  /** What thru-sftp is compared with, e.g. "OpenSSH"; absent for figures of thru-sftp alone. */
  vs?: string;
}

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface FigureResult {
  figure: Figure;
  thru?: Summary;
  baseline?: Summary;
  ratio?: number;
  verdict: Verdict;
}

export function evaluate(figure: Figure, thruValues: readonly number[], baselineValues: readonly number[] = []): FigureResult {
  const thru = summarize(thruValues);
  const baseline = summarize(baselineValues);
  const ratio = thru && baseline && baseline.median !== 0 ? thru.median / baseline.median : undefined;
  let verdict: Verdict = 'n/a';
  const t = figure.target;
  if (t?.kind === 'ratio' && ratio !== undefined) verdict = (t.op === '>=' ? ratio >= t.value : ratio <= t.value) ? 'pass' : 'fail';
  if (t?.kind === 'max' && thru) verdict = thru.max <= t.value ? 'pass' : 'fail';
  return { figure, thru, baseline, ratio, verdict };
}

/** Three significant digits, without exponent notation. */
export function formatNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function formatSummary(s: Summary | undefined): string {
  if (!s) return '–';
  if (s.n === 1) return formatNumber(s.median);
  return `${formatNumber(s.median)} (${formatNumber(s.min)}–${formatNumber(s.max)})`;
}

export function formatTarget(t: Target | undefined, unit: string): string {
  if (!t) return '';
  if (t.kind === 'ratio') return `${t.op === '>=' ? '≥' : '≤'} ${t.value}x`;
  return `≤ ${t.value} ${unit}`;
}

const escape = (s: string) => s.replace(/\|/g, '\\|');

/** One table for figures that share their baseline (the first one's `vs`). */
export function markdownTable(results: readonly FigureResult[]): string {
  const vs = results[0]?.figure.vs;
  const lines = vs
    ? [
        `| scenario | figure | thru-sftp median (min–max) | ${escape(vs)} median (min–max) | thru/${escape(vs)} | target | result |`,
        '|---|---|---:|---:|---:|---|---|',
      ]
    : ['| scenario | figure | thru-sftp median (min–max) | target | result |', '|---|---|---:|---|---|'];
  for (const r of results) {
    const f = r.figure;
    const figure = `${f.name}, ${f.unit} (${f.better === 'higher' ? 'higher' : 'lower'} is better)`;
    const ratio = r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}x`;
    const verdict = r.verdict === 'n/a' ? '' : r.verdict === 'pass' ? 'pass' : '**FAIL**';
    const compared = vs ? ` ${formatSummary(r.baseline)} | ${ratio} |` : '';
    lines.push(`| ${escape(f.scenario)} | ${escape(figure)} | ${formatSummary(r.thru)} |${compared} ${formatTarget(f.target, f.unit)} | ${verdict} |`);
  }
  return lines.join('\n');
}

/**
 * The results as tables, one per baseline in order of first appearance; headed when
 * there is more than one, so a run of the OpenSSH scenarios alone prints one plain table.
 */
export function markdownTables(results: readonly FigureResult[]): string {
  const groups = new Map<string, FigureResult[]>();
  for (const r of results) {
    const key = r.figure.vs ?? '';
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (groups.size <= 1) return markdownTable(results);
  return [...groups]
    .map(([vs, rs]) => `### ${vs ? `thru-sftp vs ${vs}` : 'thru-sftp alone'}\n\n${markdownTable(rs)}`)
    .join('\n\n');
}

export interface ReportMeta {
  title: string;
  /** Facts about the run, printed as a list: machine, versions, settings. */
  facts: [string, string][];
  notes: string[];
}

export function renderReport(meta: ReportMeta, results: readonly FigureResult[]): string {
  const passed = results.filter((r) => r.verdict === 'pass').length;
  const judged = results.filter((r) => r.verdict !== 'n/a').length;
  return [
    `# ${meta.title}`,
    '',
    ...meta.facts.map(([k, v]) => `- ${k}: ${v}`),
    '',
    markdownTables(results),
    '',
    `Targets met: ${passed} of ${judged}.`,
    ...(meta.notes.length > 0 ? ['', '## Notes', '', ...meta.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}
