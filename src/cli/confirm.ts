/**
 * Asking a person at the terminal before a command does something it cannot undo (`km
 * clear-logs`, `km pins accept|reset`): whether anyone can be asked, and their yes or no.
 */
import { terminalSafe, type TextWriter } from "../diagnostics.ts";

export interface ConfirmIo {
  readonly out: TextWriter;
  /** Where the answer is read. */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Whether a person is at stdin (default: Deno's stdin is a terminal). */
  readonly isTerminal?: () => boolean;
}

/** Whether a person can be asked: stdin is a terminal. */
export function canAsk(io: ConfirmIo): boolean {
  return (io.isTerminal ?? (() => Deno.stdin.isTerminal()))();
}

/** Writes `question [y/N] ` and reads one line: true for y or yes, any case. */
export async function askYesNo(question: string, io: ConfirmIo): Promise<boolean> {
  io.out.write(`${terminalSafe(question)} [y/N] `);
  return /^\s*y(es)?\s*$/i.test(await readLine(io.stdin) ?? "");
}

/** The first line of the stream; undefined when it ends first. */
async function readLine(stream: ReadableStream<Uint8Array>): Promise<string | undefined> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return text === "" ? undefined : text;
      text += decoder.decode(value, { stream: true });
    }
    return text.slice(0, text.indexOf("\n"));
  } finally {
    reader.releaseLock();
  }
}
