/** Log folders for the tests of pruning and clearing logs. Not part of km. */

export const DAY = 86_400_000;
/** The tests' "now": files are dated back from it. */
export const NOW = Date.UTC(2026, 10, 22);

/** A session log's text: its start record (km's `pid`), a request, and a shutdown if `ended`. */
export function sessionLog(id: string, pid: number, ended: boolean): string {
  const lines = [
    {
      session_id: id,
      seq: 1,
      type: "lifecycle",
      event: "start",
      km: { pid },
      server: { name: "srv" },
    },
    { session_id: id, seq: 2, type: "message", kind: "request", method: "ping" },
    ...(ended ? [{ session_id: id, seq: 3, type: "lifecycle", event: "shutdown" }] : []),
  ];
  return lines.map((l) => JSON.stringify(l) + "\n").join("");
}

/** Runs `test` on a log folder holding `files` (`name` → [text, days since last written]). */
export async function withLogs(
  files: Record<string, [string, number]>,
  test: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, [text, days]] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
      const at = new Date(NOW - days * DAY);
      await Deno.utime(`${dir}/${name}`, at, at);
    }
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
