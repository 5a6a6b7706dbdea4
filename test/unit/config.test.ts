// Settings (SPEC §4 and the security settings): defaults, parsing, and refusals.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_BRUTE_FORCE_POLICY } from '../../src/core/brute-force.js';
import { DEFAULT_SSH_LIMITS } from '../../src/sftp/ssh-server.js';

describe('security settings', () => {
  it('default to the documented limits and ban policy, PROXY protocol off', () => {
    const c = loadConfig({});
    // The WRITE length is left to the runtime: full size on disk, 64 KiB in front of S3.
    expect(c.sshLimits).not.toHaveProperty('maxWriteLength');
    expect(c.sshLimits).toEqual({ ...DEFAULT_SSH_LIMITS, maxWriteLength: undefined });
    expect(c.bruteForce).toEqual(DEFAULT_BRUTE_FORCE_POLICY);
    expect(c.proxyProtocol).toBe(false);
    expect(DEFAULT_SSH_LIMITS).toMatchObject({ maxAuthTries: 6, loginGraceSeconds: 60, maxReadLength: 261_120, maxWriteLength: 261_120 });
    expect(DEFAULT_BRUTE_FORCE_POLICY).toMatchObject({ banScore: 15, windowSeconds: 1800, banSeconds: 1800 });
  });

  it('read every THRU_* security setting', () => {
    const c = loadConfig({
      THRU_MAX_AUTH_TRIES: '3',
      THRU_LOGIN_GRACE_SECONDS: '20',
      THRU_MAX_CONNECTIONS_PER_IP: '0',
      THRU_MAX_SESSIONS_PER_USER: '4',
      THRU_MAX_CHANNELS_PER_CONNECTION: '2',
      THRU_MAX_OPEN_HANDLES: '64',
      THRU_MAX_READ_LENGTH: '65536',
      THRU_MAX_WRITE_LENGTH: '32768',
      THRU_LIST_PAGE_SIZE: '50',
      THRU_MAX_FILE_SIZE: '1073741824',
      THRU_PROXY_PROTOCOL: 'true',
      THRU_BAN_SCORE: '30',
      THRU_BAN_WINDOW_SECONDS: '600',
      THRU_BAN_SECONDS: '120',
      THRU_BAN_MAX_SECONDS: '3600',
      THRU_BAN_SAFE_LIST: ' 10.0.0.0/8, 2001:db8::/32 ,',
    });
    expect(c.sshLimits).toEqual({
      maxAuthTries: 3, loginGraceSeconds: 20, maxConnectionsPerIp: 0, maxSessionsPerUser: 4,
      maxSessionsPerConnection: 2, maxOpenHandles: 64, maxReadLength: 65_536, maxWriteLength: 32_768, listPageSize: 50, maxFileSize: 1024 ** 3,
    });
    expect(c.bruteForce).toEqual({ banScore: 30, windowSeconds: 600, banSeconds: 120, maxBanSeconds: 3600, safeList: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(c.proxyProtocol).toBe(true);
  });

  it('refuse what cannot work, naming the setting', () => {
    expect(() => loadConfig({ THRU_BAN_SAFE_LIST: '10.0.0.0/8,not-a-cidr' })).toThrow(/THRU_BAN_SAFE_LIST.*not-a-cidr/);
    expect(() => loadConfig({ THRU_BAN_SAFE_LIST: '10.0.0.1' })).toThrow(/THRU_BAN_SAFE_LIST/);
    expect(() => loadConfig({ THRU_MAX_READ_LENGTH: '300000' })).toThrow(/THRU_MAX_READ_LENGTH/);
    expect(() => loadConfig({ THRU_MAX_WRITE_LENGTH: '300000' })).toThrow(/THRU_MAX_WRITE_LENGTH/);
    expect(() => loadConfig({ THRU_MAX_AUTH_TRIES: '0' })).toThrow(/THRU_MAX_AUTH_TRIES/);
    expect(() => loadConfig({ THRU_PROXY_PROTOCOL: 'maybe' })).toThrow(/THRU_PROXY_PROTOCOL/);
  });
});

describe('THRU_WORKERS', () => {
  it('defaults to 1, takes a count or "auto" (one per CPU), refuses 0 and words', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(loadConfig({ THRU_WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig({ THRU_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(() => loadConfig({ THRU_WORKERS: '0' })).toThrow(/THRU_WORKERS/);
    expect(() => loadConfig({ THRU_WORKERS: 'many' })).toThrow('THRU_WORKERS: a number from 1 to 256, or "auto"');
  });
});
