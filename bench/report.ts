// Figures, their targets and the markdown report: the ratio is always thru-sftp's
// median over OpenSSH's, so "≥ 1.5x" reads as "at least 1.5 times OpenSSH's figure".
import { summarize, type Summary } from './stats.js';

export type Target =
  /** thru-sftp's median over OpenSSH's median. */
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
}

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface FigureResult {
  figure: Figure;
  thru?: Summary;
  openssh?: Summary;
  ratio?: number;
  verdict: Verdict;
}

export function evaluate(figure: Figure, thruValues: readonly number[], opensshValues: readonly number[]): FigureResult {
  const thru = summarize(thruValues);
  const openssh = summarize(opensshValues);
  const ratio = thru && openssh && openssh.median !== 0 ? thru.median / openssh.median : undefined;
  let verdict: Verdict = 'n/a';
  const t = figure.target;
  if (t?.kind === 'ratio' && ratio !== undefined) verdict = (t.op === '>=' ? ratio >= t.value : ratio <= t.value) ? 'pass' : 'fail';
  if (t?.kind === 'max' && thru) verdict = thru.max <= t.value ? 'pass' : 'fail';
  return { figure, thru, openssh, ratio, verdict };
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

export function markdownTable(results: readonly FigureResult[]): string {
  const lines = [
    '| scenario | figure | thru-sftp median (min–max) | OpenSSH median (min–max) | thru/OpenSSH | target | result |',
    '|---|---|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    const f = r.figure;
    const figure = `${f.name}, ${f.unit} (${f.better === 'higher' ? 'higher' : 'lower'} is better)`;
    const ratio = r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}x`;
    const verdict = r.verdict === 'n/a' ? '' : r.verdict === 'pass' ? 'pass' : '**FAIL**';
    lines.push(`| ${escape(f.scenario)} | ${escape(figure)} | ${formatSummary(r.thru)} | ${formatSummary(r.openssh)} | ${ratio} | ${formatTarget(f.target, f.unit)} | ${verdict} |`);
  }
  return lines.join('\n');
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
    markdownTable(results),
    '',
    `Targets met: ${passed} of ${judged}.`,
    ...(meta.notes.length > 0 ? ['', '## Notes', '', ...meta.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}
