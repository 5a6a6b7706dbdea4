// Types for what patches/ssh2+1.17.0.patch adds to ssh2's server-side SFTP object.
import 'ssh2';

declare module 'ssh2' {
  interface SFTPWrapper {
    /** Extensions for the VERSION reply; call before the client's INIT arrives. */
    advertiseExtensions(extensions: [string, string][]): void;
    /** SSH_FXP_EXTENDED_REPLY with a raw payload. */
    extendedReply(reqId: number, data: Buffer): void;
  }
}
