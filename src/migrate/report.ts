// The import report as people read it: one block per user (what happened and why), then
// a summary line that says plainly when nothing changed.
import type { ImportReport, Outcome, ReportLine } from './transfer-family.js';

const LABEL: Record<Outcome, [done: string, dry: string]> = {
  created: ['created', 'would create'],
  unchanged: ['unchanged', 'unchanged'],
  conflict: ['conflict', 'conflict'],
  refused: ['refused', 'refused'],
  failed: ['failed', 'failed'],
};

function block(line: ReportLine, dryRun: boolean): string[] {
  const label = LABEL[line.outcome][dryRun ? 1 : 0];
  const head = [`${label.padEnd(12)} ${line.username}`];
  if (line.home) head.push(`home ${line.home}${line.source ? ` (from ${line.source})` : ''}`);
  else if (line.source) head.push(`from ${line.source}`);
  if (line.outcome === 'created') head.push(line.enabled ? 'enabled' : 'DISABLED');
  const out = [head.join('  ')];
  if (line.reason) out.push(`             ${line.reason}`);
  const kept = line.keys.filter((k) => k.kept).map((k) => k.fingerprint);
  if (line.outcome === 'created' && kept.length) out.push(`             keys ${kept.join(', ')}`);
  for (const note of line.notes) out.push(`             ${note}`);
  const tags = Object.entries(line.tags);
  if (line.outcome === 'created' && tags.length) out.push(`             Transfer Family tags (not carried over): ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return out;
}

export function formatReport(report: ImportReport): string {
  const lines = [
    `Transfer Family server ${report.serverId} -> flow endpoint ${report.flowEndpointId}${report.dryRun ? ' (dry run: nothing is written)' : ''}`,
    ...report.lines.flatMap((l) => block(l, report.dryRun)),
  ];
  const c = report.counts;
  const created = report.dryRun ? `${c.created} to create` : `${c.created} created`;
  lines.push(`${report.lines.length} users: ${created}, ${c.unchanged} unchanged, ${c.conflict} in conflict, ${c.refused} refused, ${c.failed} failed`);
  if (!report.dryRun && c.created === 0 && c.failed === 0) lines.push('nothing changed');
  return `${lines.join('\n')}\n`;
}
