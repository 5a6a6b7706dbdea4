// ssh2's SFTP class, imported only to check at start that our patch is applied.
declare module 'ssh2/lib/protocol/SFTP.js' {
  export const SFTP: unknown;
}
