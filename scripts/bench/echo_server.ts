/**
 * The benchmark's server: newline-delimited JSON-RPC on stdin, one answer per request on
 * stdout. `echo` and `tools/call` answer with their params as the result; any other method gets "method not
 * found"; notifications get nothing. Exits at end of stdin.
 *
 * Lines are framed by bytes and joined once, so a 10 MiB line costs one copy; all the answers
 * to one chunk of pipelined requests go out in one write.
 *
 * Usage: deno run scripts/bench/echo_server.ts
 */

const LF = 0x0a;

/**
 * Splits a byte stream at `\n`. A line that spans chunks is kept as a list of views and
 * joined once when its end arrives. Shared with the benchmark client.
 */
export class LineSplitter {
  #parts: Uint8Array[] = [];
  #size = 0;

  /** Calls `onLine` with each line that `chunk` completes, without its `\n`. */
  push(chunk: Uint8Array, onLine: (line: Uint8Array) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        if (start < chunk.length) this.#keep(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, nl);
      if (this.#parts.length === 0) onLine(piece);
      else {
        this.#keep(piece);
        onLine(this.#take());
      }
      start = nl + 1;
    }
  }

  /** The unterminated rest at end of stream, if any. */
  end(): Uint8Array | undefined {
    return this.#size > 0 ? this.#take() : undefined;
  }

  #keep(piece: Uint8Array): void {
    this.#parts.push(piece);
    this.#size += piece.length;
  }

  #take(): Uint8Array {
    const parts = this.#parts;
    const line = parts.length === 1 ? parts[0] : new Uint8Array(this.#size);
    if (parts.length > 1) {
      let offset = 0;
      for (const part of parts) {
        line.set(part, offset);
        offset += part.length;
      }
    }
    this.#parts = [];
    this.#size = 0;
    return line;
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The answer to one line (without `\n`), or undefined for a notification or blank line. */
export function answer(line: Uint8Array): string | undefined {
  const text = decoder.decode(line);
  if (text.trim() === "") return undefined;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return failure(null, -32700, "Parse error");
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return failure(null, -32600, "Invalid Request: expected one JSON-RPC object");
  }
  const request = message as { id?: unknown; method?: unknown; params?: unknown };
  if (!("id" in request)) return undefined;
  if (request.method !== "echo" && request.method !== "tools/call") {
    return failure(request.id, -32601, `Method not found: ${String(request.method)}`);
  }
  return JSON.stringify({ jsonrpc: "2.0", id: request.id, result: request.params ?? null });
}

function failure(id: unknown, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } });
}

/** Answers every request from `input` on `output` until `input` ends. */
export async function serve(
  input: ReadableStream<Uint8Array>,
  output: WritableStream<Uint8Array>,
): Promise<void> {
  const writer = output.getWriter();
  const lines = new LineSplitter();
  let out = "";
  const collect = (line: Uint8Array) => {
    const reply = answer(line);
    if (reply !== undefined) out += reply + "\n";
  };
  for await (const chunk of input) {
    lines.push(chunk, collect);
    if (out.length > 0) {
      const bytes = encoder.encode(out);
      out = "";
      await writer.write(bytes);
    }
  }
  const rest = lines.end();
  if (rest) collect(rest);
  if (out.length > 0) await writer.write(encoder.encode(out));
  await writer.close();
}

if (import.meta.main) {
  try {
    await serve(Deno.stdin.readable, Deno.stdout.writable);
  } catch {
    // The client went away (broken pipe): nothing left to answer.
  }
}
