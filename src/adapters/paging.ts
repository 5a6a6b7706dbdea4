// Paging rules every directory adapter shares: a limit is a positive integer, and a
// cursor is opaque canonical base64url of JSON that the adapter made. A cursor that was
// tampered with (even by a trailing character the decoder would ignore) is refused.
import { invalidArgument } from '../core/errors.js';

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw invalidArgument(`limit must be a positive integer, got ${limit}`);
}

export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** The JSON value inside a cursor; the caller checks its shape. */
export function decodeCursor(cursor: string): unknown {
  const bytes = Buffer.from(cursor, 'base64url');
  if (cursor.length > 0 && bytes.toString('base64url') === cursor) {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      // fall through
    }
  }
  throw invalidArgument('invalid cursor');
}
