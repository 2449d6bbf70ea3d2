/** Byte sinks: the writing end of a pipe, behind an interface that tests replace. */

/** Where relayed bytes go. `write` never rejects: a failed write marks the sink broken. */
export interface ByteSink {
  /** Resolves once the bytes are accepted, which is the relay's backpressure. */
  write(bytes: Uint8Array): Promise<void>;
  /** True after a write failed (e.g. EPIPE: the reader is gone) or after close. */
  readonly broken: boolean;
  close(): Promise<void>;
}

/**
 * Wraps a WritableStream (a child's stdin, km's stdout). Writes are queued in call order, so
 * concurrent writers never interleave within a message. The first failure is reported once.
 */
export function streamSink(
  stream: WritableStream<Uint8Array>,
  onError: (error: unknown) => void,
): ByteSink {
  const writer = stream.getWriter();
  let broken = false;
  const fail = (error: unknown) => {
    if (broken) return;
    broken = true;
    onError(error);
  };
  return {
    get broken() {
      return broken;
    },
    async write(bytes: Uint8Array) {
      if (broken) return;
      try {
        await writer.write(bytes);
      } catch (error) {
        fail(error);
      }
    },
    async close() {
      if (broken) return;
      broken = true;
      try {
        await writer.close();
      } catch {
        // Already closed by the other side: nothing left to flush.
      }
    },
  };
}
