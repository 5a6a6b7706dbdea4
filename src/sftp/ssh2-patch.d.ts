// Types for what patches/ssh2+1.17.0.patch adds to ssh2's server-side SFTP object.
import 'ssh2';

declare module 'ssh2' {
  interface SFTPWrapper {
    /** Extensions for the VERSION reply; call before the client's INIT arrives. */
    advertiseExtensions(extensions: [string, string][]): void;
    /** SSH_FXP_EXTENDED_REPLY with a raw payload. */
    extendedReply(reqId: number, data: Buffer): void;
    /**
     * A DATA reply from `frame`: 13 bytes for the header, then the data. True when the
     * frame was written out whole and may be reused; false when ssh2 keeps part of it.
     */
    dataFrame(reqId: number, frame: Buffer): boolean;
    /**
     * From now on a WRITE that arrives in several SSH packets gives its data as those
     * packets' pieces (Buffer[], in order); one that arrives whole, a Buffer.
     */
    acceptWritePieces(): void;
    /** While held, the channel's window is not reopened as data arrives (flow control). */
    holdWindow(hold: boolean): void;
    /** Replies wait in memory for the client's window; 'continue' is emitted once all have gone out. */
    outgoingBuffered(): boolean;
  }
}
