// Where an AWS Transfer Family user's home lands in thru-sftp. A Transfer Family home is
// a path into storage ("/bucket/prefix/alice"), given as a PATH home directory or as
// LOGICAL mappings; a thru-sftp home is a folder inside the flow endpoint's folder
// ("/alice"). The rules, in order:
//
// 1. LOGICAL: exactly one mapping, Entry "/" (a chroot), whose Target is the path.
//    Several mappings or another Entry are virtual folders thru-sftp has no equivalent
//    for (one home per user): refused. PATH: the HomeDirectory is the path; none (or
//    "/") means the root of every bucket: refused.
// 2. "${transfer:UserName}" in the path becomes the username; any other variable is
//    refused. "." and ".." segments are refused.
// 3. With a base ("--base /bucket/home"), the part of the path below the base is the
//    home ("/bucket/home/alice" -> "/alice", "/bucket/home" -> "/"); a path outside
//    the base is refused. Without a base, the home is the path's last folder
//    ("/bucket/prefix/alice" -> "/alice"); a whole bucket is refused (pass --base).
// 4. (mapHomes) Two users whose different Transfer Family paths would land in the same
//    home are both refused: their files were apart and must stay apart.
import { checkFolder } from '../core/tenancy/rules.js';

export interface TransferFamilyHome {
  username: string;
  homeDirectoryType?: string;
  homeDirectory?: string;
  mappings?: { Entry?: string; Target?: string; Type?: string }[];
}

export type HomeMapping =
  | { ok: true; home: string; source: string }
  | { ok: false; reason: string; source?: string };

const VARIABLE = /\$\{([^}]*)\}/g;

/** "/a//b/" -> "/a/b"; undefined when it is not an absolute path without "." or "..". */
function normalize(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return undefined;
  return `/${segments.join('/')}`;
}

/** The storage path a Transfer Family user's "/" shows, or why there is none. */
function sourcePath(user: TransferFamilyHome): { path: string } | { reason: string } {
  if (user.homeDirectoryType === 'LOGICAL') {
    const mappings = user.mappings ?? [];
    if (mappings.length === 0) return { reason: 'LOGICAL home without mappings' };
    const listed = mappings.map((m) => `${m.Entry ?? '?'} -> ${m.Target ?? '?'}`).join(', ');
    if (mappings.length > 1 || mappings[0]!.Entry !== '/') {
      return { reason: `LOGICAL mappings with virtual folders (${listed}): thru-sftp gives each user one home folder; create such users by hand (one user, or one flow endpoint, per folder)` };
    }
    if (mappings[0]!.Type === 'FILE') return { reason: `a LOGICAL mapping of "/" to a file (${listed})` };
    if (!mappings[0]!.Target) return { reason: 'a LOGICAL mapping without a Target' };
    return { path: mappings[0]!.Target };
  }
  const home = user.homeDirectory;
  if (!home || normalize(home) === '/') return { reason: 'no home directory: on Transfer Family this user sees every bucket its role allows' };
  return { path: home };
}

function substitute(path: string, username: string): { path: string } | { reason: string } {
  let unknown: string | undefined;
  const out = path.replace(VARIABLE, (whole, name: string) => {
    if (name.toLowerCase() === 'transfer:username') return username;
    unknown ??= whole;
    return whole;
  });
  return unknown ? { reason: `the home path ${path} uses ${unknown}, which has no thru-sftp equivalent` } : { path: out };
}

export function mapHome(user: TransferFamilyHome, base?: string): HomeMapping {
  const found = sourcePath(user);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const substituted = substitute(found.path, user.username);
  if ('reason' in substituted) return { ok: false, reason: substituted.reason, source: found.path };
  const source = normalize(substituted.path);
  if (source === undefined) return { ok: false, reason: `the home path ${found.path} is not an absolute path without "." or ".."`, source: found.path };

  let home: string;
  if (base !== undefined) {
    const root = normalize(base);
    if (root === undefined) return { ok: false, reason: `--base ${base} is not an absolute path`, source };
    if (source === root) home = '/';
    else if (root === '/' || source.startsWith(`${root}/`)) home = source.slice(root === '/' ? 0 : root.length);
    else return { ok: false, reason: `the home path ${source} is outside --base ${root}`, source };
  } else {
    const segments = source.split('/').filter(Boolean);
    if (segments.length < 2) return { ok: false, reason: `the home is the whole bucket ${source}: pass --base ${source} to map it to "/"`, source };
    home = `/${segments.at(-1)!}`;
  }
  try {
    return { ok: true, home: checkFolder('homeDirectory', home), source };
  } catch (err) {
    return { ok: false, reason: `the home path ${source} maps to an invalid folder: ${(err as Error).message}`, source };
  }
}

/** mapHome for every user, then rule 4: no two different sources share a home. */
export function mapHomes(users: TransferFamilyHome[], base?: string): Map<string, HomeMapping> {
  const mapped = new Map(users.map((u) => [u.username, mapHome(u, base)] as const));
  const sourcesByHome = new Map<string, Set<string>>();
  for (const m of mapped.values()) {
    if (m.ok) sourcesByHome.set(m.home, (sourcesByHome.get(m.home) ?? new Set()).add(m.source));
  }
  for (const [username, m] of mapped) {
    if (!m.ok || sourcesByHome.get(m.home)!.size < 2) continue;
    const others = [...mapped].filter(([n, o]) => n !== username && o.ok && o.home === m.home && o.source !== m.source).map(([n, o]) => `${n} (${o.ok ? o.source : ''})`);
    mapped.set(username, {
      ok: false,
      source: m.source,
      reason: `${m.source} and ${others.join(', ')} would share the home ${m.home}: pass --base so that their folders stay apart`,
    });
  }
  return mapped;
}
