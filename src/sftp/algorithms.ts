// Transport algorithms: AWS TransferSecurityPolicy-SshAuditCompliant-2025-02, plus
// the non-ETM hmac-sha2-256/512 after the ETM MACs, because libssh2 <= 1.10 clients
// (Debian 12's curl, many MFT tools) know no other MAC; ssh-audit rates those [warn],
// not [fail]. Nothing with SHA-1. The host key is Ed25519 only: loading an RSA host
// key makes ssh2 offer SHA-1 `ssh-rsa` whatever we list.
import type { Algorithms } from 'ssh2';

export const ALGORITHMS = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512'],
  cipher: ['aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes192-ctr', 'aes128-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  serverHostKey: ['ssh-ed25519'],
  compress: ['none'],
} satisfies Algorithms;
