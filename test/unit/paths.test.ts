// The path jail as properties (fast-check): whatever a client sends, the resolved path
// is normalized, absolute, and its key stays under the user's root.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isCoreError } from '../../src/core/errors.js';
import { keyOf, normalizeFolder, resolveVirtualPath } from '../../src/core/paths.js';

const segment = fc.oneof(
  fc.constantFrom('..', '.', '', '...', '%2e%2e', '%2f', 'a', 'b c', 'é', 'e\u0301', '~', '-', '\\', '..\\..', 'x\0y'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const hostilePath = fc.tuple(fc.boolean(), fc.array(segment, { maxLength: 12 })).map(([abs, segs]) => (abs ? '/' : '') + segs.join('/'));

/** Resolve, or undefined when refused with invalid_argument (any other error is a bug). */
function tryResolve(path: string): string | undefined {
  try {
    return resolveVirtualPath(path);
  } catch (err) {
    if (isCoreError(err, 'invalid_argument')) return undefined;
    throw err;
  }
}

describe('resolveVirtualPath', () => {
  it('always yields a normalized absolute path without . or .. segments', () => {
    fc.assert(
      fc.property(hostilePath, (path) => {
        const resolved = tryResolve(path);
        if (resolved === undefined) return;
        expect(resolved.startsWith('/')).toBe(true);
        expect(resolved === '/' || !resolved.endsWith('/')).toBe(true);
        const segs = resolved.split('/').slice(1);
        for (const s of resolved === '/' ? [] : segs) {
          expect(s).not.toBe('');
          expect(s).not.toBe('.');
          expect(s).not.toBe('..');
          expect(s).not.toContain('\\');
          expect(s).not.toContain('\0');
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('keys of resolved paths stay under the root', () => {
    const root = 'org-1/ep-1/home';
    fc.assert(
      fc.property(hostilePath, (path) => {
        const resolved = tryResolve(path);
        if (resolved === undefined) return;
        const key = keyOf(root, resolved);
        expect(key === root || key.startsWith(`${root}/`)).toBe(true);
        expect(key.split('/')).not.toContain('..');
      }),
      { numRuns: 5000 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostilePath, (path) => {
        const resolved = tryResolve(path);
        if (resolved !== undefined) expect(resolveVirtualPath(resolved)).toBe(resolved);
      }),
    );
  });

  it('clamps .. at the root and resolves relative to the working folder', () => {
    expect(resolveVirtualPath('../../etc/passwd')).toBe('/etc/passwd');
    expect(resolveVirtualPath('b/../c', '/a')).toBe('/a/c');
    expect(resolveVirtualPath('.')).toBe('/');
    expect(resolveVirtualPath('')).toBe('/');
  });

  it('refuses NUL, backslashes and over-long names', () => {
    for (const bad of ['a\0b', '..\\x', 'x'.repeat(256), `/${'a/'.repeat(600)}`]) {
      expect(() => resolveVirtualPath(bad)).toThrow(/NUL|backslash|limited/);
    }
    expect(resolveVirtualPath('x'.repeat(255))).toBe(`/${'x'.repeat(255)}`);
  });

  it('does not decode or normalize names', () => {
    expect(resolveVirtualPath('%2e%2e/a')).toBe('/%2e%2e/a');
    expect(resolveVirtualPath('e\u0301')).not.toBe(resolveVirtualPath('\u00e9'));
  });
});

describe('normalizeFolder', () => {
  it('accepts absolute folders and normalizes slashes', () => {
    expect(normalizeFolder('/')).toBe('/');
    expect(normalizeFolder('//in///partner-a/')).toBe('/in/partner-a');
  });
  it('refuses relative paths and traversal', () => {
    for (const bad of ['in', '../x', '/a/../b', '/a/./b', '/a\\b']) expect(() => normalizeFolder(bad)).toThrow();
  });
});
