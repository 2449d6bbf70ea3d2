/** Reading a byte stream into a LineFramer. */
import type { Frame, LineFramer } from "../jsonrpc/framing.ts";

/** Size of the buffer each read fills. */
const READ_SIZE = 64 * 1024;

/**
 * Reads `source` into the framer and returns the frames each read completes (null at the
 * end). Byte streams (Deno's pipes and stdio) are read with a BYOB reader into one reused
 * buffer, so reading allocates nothing; other streams hand over chunks of their own.
 */
export function frameReader(
  source: ReadableStream<Uint8Array>,
  framer: LineFramer,
): () => Promise<Frame[] | null> {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = source.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream.
  }
  if (byob) {
    const reader = byob;
    let scratch = new Uint8Array(READ_SIZE);
    return async () => {
      const { value, done } = await reader.read(scratch);
      if (done || !value) return null;
      // The read transferred the buffer; the returned view owns it now.
      scratch = new Uint8Array(value.buffer as ArrayBuffer);
      return framer.push(value);
    };
  }
  const reader = source.getReader();
  return async () => {
    const { value, done } = await reader.read();
    return done ? null : framer.push(value);
  };
}
