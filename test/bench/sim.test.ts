// Finding the sim's ports and endpoints in its log, as the S3 scenario does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseSimStart } from '../../bench/sim.js';
import { createLogger } from '../../src/log.js';
import { startSim } from '../../src/runtime/sim.js';

const started = { level: 30, msg: 'thru-sftp sim started', sftpPort: 2222, adminPort: 8080, s3: 'http://127.0.0.1:4568', dynamodb: 'http://127.0.0.1:4567' };

describe('parseSimStart', () => {
  it('finds the start line among banner text and other log lines', () => {
    const log = ['{"level":30,"msg":"something else"}', '', 'thru-sftp (AWS runtime, simulated) is running', JSON.stringify(started), ''].join('\n');
    expect(parseSimStart(log)).toEqual({ sftpPort: 2222, adminPort: 8080, s3: 'http://127.0.0.1:4568', dynamodb: 'http://127.0.0.1:4567' });
  });
  it('waits (undefined) while the line is missing or half written', () => {
    expect(parseSimStart('')).toBeUndefined();
    expect(parseSimStart('{"level":30,"msg":"thru-sftp sim st')).toBeUndefined();
  });
  it('refuses a start line without usable ports or endpoints', () => {
    expect(() => parseSimStart(JSON.stringify({ ...started, sftpPort: 0 }))).toThrow(/lacks its ports/);
    expect(() => parseSimStart(JSON.stringify({ ...started, s3: undefined }))).toThrow(/lacks its ports/);
  });
  it('reads the line the sim really logs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'thru-bench-sim-'));
    let log = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        log += chunk.toString('utf8');
        done();
      },
    });
    const sim = await startSim({ sftpPort: 0, adminPort: 0, dataDir, bind: '127.0.0.1', logLevel: 'info', demo: false, adminToken: 'bench-sim-token-0123456789' }, createLogger('info', sink), { persist: false });
    try {
      const found = parseSimStart(log);
      expect(found).toMatchObject({ sftpPort: sim.sftpPort, adminPort: sim.adminPort });
      expect(found?.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(found?.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
