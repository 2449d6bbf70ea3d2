/**
 * The one place km writes human-readable text. Stdout belongs to the relayed protocol, so
 * everything here goes to a writer that is stderr in production and a buffer in tests.
 */
import { atMost } from "./at_most.ts";

/** Something that accepts text synchronously (stderr, or a test buffer). */
export interface TextWriter {
  write(text: string): void;
}

/**
 * km's stderr as a queue. Writes never block the caller: an MCP client that does not read
 * km's stderr must not stall the relay (a full pipe would block a synchronous write). Beyond
 * `limit` queued bytes, output is dropped (and counted) rather than buffered without bound;
 * the audit log keeps everything regardless. `flush` waits for what is queued.
 */
export class StderrQueue implements TextWriter {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #queued = 0;
  #last: Promise<unknown> = Promise.resolve();
  #broken = false;
  /** Bytes dropped because the queue was full. */
  dropped = 0;

  constructor(stream: WritableStream<Uint8Array>, readonly limit = 4 * 1024 * 1024) {
    this.#writer = stream.getWriter();
  }

  write(text: string): void {
    this.bytes(this.#encoder.encode(text));
  }

  /** Queues raw bytes (the server's stderr passthrough). */
  bytes(bytes: Uint8Array): void {
    if (this.#broken) return;
    if (this.#queued + bytes.length > this.limit) {
      this.dropped += bytes.length;
      return;
    }
    this.#queued += bytes.length;
    this.#last = this.#writer.write(bytes).then(
      () => void (this.#queued -= bytes.length),
      () => void (this.#broken = true),
    );
  }

  /**
   * Resolves when everything queued so far was written, stderr broke, or `timeoutMs` passed
   * (a reader that never reads must not keep km from exiting).
   */
  async flush(timeoutMs = 2000): Promise<void> {
    await atMost(this.#last, timeoutMs);
  }
}

/** A writer that keeps everything in memory, for tests. */
export function bufferWriter(): TextWriter & { text(): string } {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), text: () => parts.join("") };
}

/**
 * Text made safe to print on a terminal. km's stderr is usually a person's terminal, and much
 * of what km prints comes from the peers (tool names, methods, error messages, ids): a string
 * with escape sequences or line breaks could clear a line, move the cursor or recolour the
 * screen, forge a `km:` line, or reorder what follows it (bidirectional overrides). Every
 * character a terminal acts on rather than shows is replaced by a visible escape: C0 controls
 * (`\n`, `\r`, `\t`, `\x1b`...), DEL and C1 controls (`\x7f`, `\x9b`), the line and paragraph
 * separators and the bidirectional controls (`\u2028`, `\u202e`, `\u2066`...). A backslash
 * itself is left alone: it is visible, and paths on Windows are full of them.
 */
export function terminalSafe(text: string): string {
  let out: string | undefined;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!actsOnTerminal(code)) continue;
    out = (out ?? "") + text.slice(from, i) + visible(code);
    from = i + 1;
  }
  return out === undefined ? text : out + text.slice(from);
}

function actsOnTerminal(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c || code === 0x200e || code === 0x200f || // bidirectional marks
    (code >= 0x2028 && code <= 0x202e) || // separators, bidirectional embeddings and overrides
    (code >= 0x2066 && code <= 0x2069); // bidirectional isolates
}

const NAMED: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };

function visible(code: number): string {
  return NAMED[code] ??
    (code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`);
}

/**
 * Prefixed diagnostic lines: `km: ...`, `km: warning: ...`, `km: error: ...`. Each is one line:
 * whatever the message holds is shown through `terminalSafe`, so a peer's string quoted in it
 * cannot end the line or act on the terminal. Only `error` keeps the line breaks of a message
 * that has several lines (a configuration's problems, opa's output), and indents each further
 * line, so that none can pass for a line of km's own.
 */
export class Diagnostics {
  constructor(readonly out: TextWriter) {}

  info(message: string): void {
    this.out.write(`km: ${terminalSafe(message)}\n`);
  }

  warn(message: string): void {
    this.out.write(`km: warning: ${terminalSafe(message)}\n`);
  }

  error(message: string, hint?: string): void {
    const lines = message.split("\n").map((line, i) =>
      i === 0 || line === "" || /^\s/.test(line) ? terminalSafe(line) : `  ${terminalSafe(line)}`
    );
    this.out.write(
      `km: error: ${lines.join("\n")}\n${hint ? `km: hint: ${terminalSafe(hint)}\n` : ""}`,
    );
  }

  /**
   * Several lines km composed itself (the exit summary): the line breaks are kept, anything else
   * a terminal would act on is escaped. The server's stderr passthrough does not come here: it
   * is the server's own output, passed on as it is (see MonitorDeps.stderr).
   */
  raw(text: string): void {
    this.out.write(text.split("\n").map(terminalSafe).join("\n"));
  }
}
