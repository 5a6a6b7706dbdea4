// How the console writes values for people: dates, sizes, the sftp command line, where
// an endpoint delivers, a flow's folders and a source's triggers.
import type { Endpoint, FlowEndpoint } from './types.js';

export const formatDate = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "sftp -P 2222 <user>@host" for a public URL "sftp://host:2222". */
export function sftpCommand(publicUrl: string, user = '<user>'): string {
  const m = /^sftp:\/\/(.+?)(?::(\d+))?$/.exec(publicUrl);
  if (!m) return '';
  const port = m[2] && m[2] !== '22' ? `-P ${m[2]} ` : '';
  return `sftp ${port}${user}@${m[1]}`;
}

export function destination(ep: Endpoint): string {
  switch (ep.type) {
    case 'thru-sftp-server':
      return ep.publicUrl ?? '';
    case 's3':
      return `s3://${ep.config.bucket ?? ''}/${ep.config.prefix ?? ''}`;
    case 'webhook':
      return ep.config.url ?? '';
    case 'directory':
      return ep.config.path ?? '';
  }
}

/** "acme-sftp:/in, delivered:/" */
export const places = (fes: FlowEndpoint[], endpoints: Endpoint[]) =>
  fes.map((fe) => `${endpoints.find((e) => e.id === fe.endpointId)?.name ?? fe.endpointId}:${fe.path}`).join(', ');

export function triggerSummary(fe: FlowEndpoint): string {
  const t = fe.triggers;
  if (!t) return '';
  const temp = t.tempFilePatterns.length ? `Temp names ${t.tempFilePatterns.join(', ')}` : 'No temp names';
  const file = !t.triggerFile ? '' : t.triggerFile.mode === 'per-file' ? `; trigger file per data file: X${t.triggerFile.suffix}` : `; batch trigger file: ${t.triggerFile.name}`;
  return temp + file;
}
