// ssh2's native crypto binding makes AES-GCM about 3.6x faster. `npm install` builds it
// when a C++ toolchain is present and silently skips it otherwise: say so loudly.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

export function hasNativeCrypto(): boolean {
  const crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };
  return crypto.bindingAvailable === true;
}

export function warnWithoutNativeCrypto(logger: Logger): void {
  if (!hasNativeCrypto()) {
    logger.warn(
      { component: 'ssh2' },
      "ssh2's native crypto binding is missing: transfers will be about 3x slower. Install g++, make and python3, then run `npm rebuild ssh2`.",
    );
  }
}
