// The benchmark's command line.
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/options.js';

describe('bench options', () => {
  it('defaults to the sizes of issue 7', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ quick: false, only: [], bigSize: 1024 ** 3, smallFiles: 2000, smallSize: 4096, parallelClients: 16, parallelSize: 64 * 1024 ** 2, idleSessions: 1000, deliveryFiles: 50 });
    expect(o.cipher).toBe('aes128-gcm@openssh.com');
    expect(o.runtime).toBe('dist');
    expect(o.user).toBe('thrubench');
  });
  it('--quick shrinks sizes and rounds; --rounds and --sessions override', () => {
    const q = parseOptions(['--quick']);
    expect(q.bigSize).toBeLessThan(1024 ** 3);
    expect(q.rounds.transfer).toBeLessThan(parseOptions([]).rounds.transfer);
    expect(q.deliveryFiles).toBeLessThan(parseOptions([]).deliveryFiles);
    expect(parseOptions(['--quick', '--rounds', '4', '--sessions', '7'])).toMatchObject({ rounds: { transfer: 4, login: 4, idle: 4 }, idleSessions: 7 });
  });
  it('filters scenarios and refuses unknown ones', () => {
    expect(parseOptions(['--only', 'put, login-key']).only).toEqual(['put', 'login-key']);
    expect(parseOptions(['--only', 'delivery,s3']).only).toEqual(['delivery', 's3']);
    expect(() => parseOptions(['--only', 'put,nope'])).toThrow(/unknown scenario nope/);
  });
  it('refuses bad values', () => {
    expect(() => parseOptions(['--rounds', '0'])).toThrow(/positive whole number/);
    expect(() => parseOptions(['--runtime', 'bun'])).toThrow(/tsx or dist/);
    expect(() => parseOptions(['--user', 'root; rm'])).toThrow(/system user name/);
    expect(() => parseOptions(['--bogus'])).toThrow();
  });
  it('splits extra node flags', () => {
    expect(parseOptions(['--node-args=--max-semi-space-size=2 --trace-gc']).nodeArgs).toEqual(['--max-semi-space-size=2', '--trace-gc']);
  });
});
