// The semantic rules an admin's input must follow: names, usernames, passwords,
// folders, CIDRs, dates and triggers. Each returns the normalized value or throws
// invalid_argument with a message that names the field, so every front end (HTTP, CLI,
// demo) refuses the same things the same way.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { CoreError, invalidArgument } from '../errors.js';
import { normalizeFolder } from '../paths.js';
import type { TriggerFile, Triggers } from '../model.js';

/** A parent cannot go while children need it (answered 409 unless the caller cascades). */
export const hasChildren = (message: string) => new CoreError('not_empty', message);

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_PUBLIC_KEYS = 50;
export const MAX_CIDRS = 50;
export const MAX_TEMP_FILE_PATTERNS = 20;
export const MIN_IDLE_TIMEOUT_SECONDS = 30;
export const MAX_IDLE_TIMEOUT_SECONDS = 24 * 60 * 60;

// Control characters have no place in names shown in consoles and logs.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A display name: trimmed, 1 to 100 characters, no control characters. */
export function checkName(field: string, value: string): string {
  const name = value.trim();
  if (name === '') throw invalidArgument(`${field} cannot be empty`);
  if (name.length > MAX_NAME_LENGTH) throw invalidArgument(`${field} is limited to ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(name)) throw invalidArgument(`${field} cannot contain control characters`);
  return name;
}

export function checkDescription(value: string): string {
  if (value.length > MAX_DESCRIPTION_LENGTH) throw invalidArgument(`description is limited to ${MAX_DESCRIPTION_LENGTH} characters`);
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) throw invalidArgument('description cannot contain control characters'); // eslint-disable-line no-control-regex
  return value;
}

// SSH sends the username as typed and has no virtual hosts: one lower-case spelling per
// account avoids "Acme" and "acme" being two partners. "@" is allowed for e-mail style
// names (`sftp -o User=a@b.com host`).
const USERNAME = /^[a-z0-9_][a-z0-9._@-]{0,63}$/;

export function checkUsername(value: string): string {
  if (USERNAME.test(value)) return value;
  if (USERNAME.test(value.toLowerCase())) throw invalidArgument(`username must be lower-case: "${value.toLowerCase()}"`);
  throw invalidArgument('username must be 1 to 64 characters of a-z, 0-9, ".", "_", "-", "@", starting with a letter, a digit or "_"');
}

export function checkPassword(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) throw invalidArgument(`password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (value.length > MAX_PASSWORD_LENGTH) throw invalidArgument(`password is limited to ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

/** A folder inside an endpoint ("/" or "/in/acme"): absolute, no "." or ".." segments. */
export function checkFolder(field: string, value: string): string {
  try {
    return normalizeFolder(value);
  } catch (err) {
    throw invalidArgument(`${field}: ${(err as Error).message}`);
  }
}

/** CIDR blocks a user may connect from; a bare address means that address only. */
export function checkCidrs(values: readonly string[]): string[] {
  if (values.length > MAX_CIDRS) throw invalidArgument(`allowedCidrs is limited to ${MAX_CIDRS} entries`);
  return values.map((value) => {
    try {
      if (!value.includes('/')) {
        const addr = ipaddr.parse(value);
        return `${addr.toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`;
      }
      const [range, bits] = ipaddr.parseCIDR(value);
      return `${range.toString()}/${bits}`;
    } catch {
      throw invalidArgument(`allowedCidrs: "${value.slice(0, 60)}" is not an IP address or CIDR block`);
    }
  });
}

const INSTANT = z.iso.datetime({ offset: true });

/** An ISO 8601 date-time with a time zone (a real calendar date), returned in UTC. */
export function checkInstant(field: string, value: string): string {
  if (!INSTANT.safeParse(value).success) throw invalidArgument(`${field} must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T00:00:00Z`);
  return new Date(value).toISOString();
}

export function checkIdleTimeout(value: number): number {
  if (!Number.isInteger(value) || value < MIN_IDLE_TIMEOUT_SECONDS || value > MAX_IDLE_TIMEOUT_SECONDS) {
    throw invalidArgument(`idleTimeoutSeconds must be a whole number from ${MIN_IDLE_TIMEOUT_SECONDS} to ${MAX_IDLE_TIMEOUT_SECONDS} (24 hours)`);
  }
  return value;
}

/** One file name (no folder): what trigger files and patterns are matched against. */
function checkFileName(field: string, value: string): string {
  if (value === '' || value === '.' || value === '..') throw invalidArgument(`${field} must be a file name`);
  if (/[/\\\0]/.test(value)) throw invalidArgument(`${field} is a file name: no "/", "\\" or NUL`);
  if (Buffer.byteLength(value) > 255) throw invalidArgument(`${field} is limited to 255 bytes`);
  return value;
}

function checkTriggerFile(t: TriggerFile): TriggerFile {
  if (t.mode === 'per-file') {
    const suffix = checkFileName('triggerFile.suffix', t.suffix);
    if (suffix.length > 64) throw invalidArgument('triggerFile.suffix is limited to 64 characters');
    return { mode: 'per-file', suffix };
  }
  return { mode: 'batch', name: checkFileName('triggerFile.name', t.name) };
}

export function checkTriggers(t: Partial<Triggers>, defaultPatterns: readonly string[]): Triggers {
  const patterns = t.tempFilePatterns ?? [...defaultPatterns];
  if (patterns.length > MAX_TEMP_FILE_PATTERNS) throw invalidArgument(`tempFilePatterns is limited to ${MAX_TEMP_FILE_PATTERNS} patterns`);
  const tempFilePatterns = patterns.map((p) => checkFileName('tempFilePatterns', p));
  return t.triggerFile ? { tempFilePatterns, triggerFile: checkTriggerFile(t.triggerFile) } : { tempFilePatterns };
}
