/**
 * The one place km writes human-readable text. Stdout belongs to the relayed protocol, so
 * everything here goes to a writer that is stderr in production and a buffer in tests.
 */

/** Something that accepts text synchronously (stderr, or a test buffer). */
export interface TextWriter {
  write(text: string): void;
}

/** Writes to the process's stderr, never throwing: a closed stderr must not stop the relay. */
export function stderrWriter(): TextWriter {
  const encoder = new TextEncoder();
  let broken = false;
  return {
    write(text: string) {
      if (broken) return;
      try {
        const bytes = encoder.encode(text);
        let written = 0;
        while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
      } catch {
        broken = true;
      }
    },
  };
}

/** A writer that keeps everything in memory, for tests. */
export function bufferWriter(): TextWriter & { text(): string } {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), text: () => parts.join("") };
}

/** Prefixed diagnostic lines: `km: ...`, `km: warning: ...`, `km: error: ...`. */
export class Diagnostics {
  constructor(readonly out: TextWriter) {}

  info(message: string): void {
    this.out.write(`km: ${message}\n`);
  }

  warn(message: string): void {
    this.out.write(`km: warning: ${message}\n`);
  }

  error(message: string, hint?: string): void {
    this.out.write(`km: error: ${message}\n${hint ? `km: hint: ${hint}\n` : ""}`);
  }

  /** Raw text, for passthrough of the server's stderr and for multi-line blocks. */
  raw(text: string): void {
    this.out.write(text);
  }
}
