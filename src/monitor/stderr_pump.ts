/** The server's stderr: passed through untouched, and split into lines for the audit log. */
import { LineFramer } from "../jsonrpc/framing.ts";

/** Longest stderr line recorded whole; longer lines are recorded cut. */
const MAX_LINE_BYTES = 64 * 1024;

/** Copies the server's stderr through unchanged and reports each line. */
export async function pumpStderr(
  source: ReadableStream<Uint8Array>,
  passthrough: (bytes: Uint8Array) => void,
  onLine: (line: string) => void,
): Promise<void> {
  const framer = new LineFramer(MAX_LINE_BYTES, MAX_LINE_BYTES);
  const decoder = new TextDecoder();
  const report = (frames: ReturnType<LineFramer["push"]>) => {
    for (const f of frames) {
      onLine(
        f.kind === "line"
          ? decoder.decode(f.content)
          : `${decoder.decode(f.head)}…[line of ${f.size} bytes truncated]`,
      );
    }
  };
  try {
    for await (const chunk of source) {
      passthrough(chunk);
      report(framer.push(chunk));
    }
  } catch {
    // A broken stderr pipe ends the passthrough; the relay goes on.
  }
  report(framer.end());
}
