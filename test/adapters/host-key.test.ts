// Host keys made on first start are always readable: ssh2's own generator sometimes
// writes an Ed25519 key it cannot parse (a public key one byte short).
import { describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { generateHostKey } from '../../src/adapters/local/host-key.js';

describe('generateHostKey', () => {
  it('makes 2000 keys in a row that ssh2 can load', () => {
    for (let i = 0; i < 2000; i++) {
      const key = ssh2.utils.parseKey(generateHostKey().private);
      expect(key).not.toBeInstanceOf(Error);
    }
  });
});
