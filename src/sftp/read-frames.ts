// Reply buffers for READ, reused. A READ's data goes from the file straight into a
// frame that has room for the DATA reply's header in front (ssh2's dataFrame, from our
// patch), and the frame comes back here once ssh2 has copied it into SSH packets.
// Otherwise a 1 GiB download allocates, faults in and collects 4,000 fresh 255 KiB
// buffers, and ssh2 copies each once more. Shared by every session of a server and
// bounded, so idle sessions hold nothing.

/** uint32 length, byte type, uint32 request id, uint32 data length. */
export const DATA_HEADER = 13;

export class ReadFrames {
  private readonly free: Buffer[] = [];

  constructor(
    /** Largest data a frame carries (the server's READ length limit). */
    readonly maxData: number,
    /** Frames kept for reuse; more may be in use at once, those are left to the GC. */
    private readonly keep = 32,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(DATA_HEADER + this.maxData);
  }

  give(frame: Buffer): void {
    if (this.free.length < this.keep && frame.length === DATA_HEADER + this.maxData) this.free.push(frame);
  }
}
