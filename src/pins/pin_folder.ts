/**
 * The pin folder read whole, as `km pins` and the dashboard's catalogue read it: every
 * `<id>.json` parsed (within the pin file's size limit), those that cannot be read set apart
 * with why. The store a session writes through is pin_file.ts.
 */
import type { PinFileEntry } from "./manage.ts";
import { MAX_PIN_FILE_BYTES, parsePinDocument } from "./pin_file.ts";

/** A pin file's name: the identity's id. */
const PIN_FILE = /^([0-9a-f]{32})\.json$/;
/** A server identity's id. */
export const PIN_ID = /^[0-9a-f]{32}$/;

/** A file of the folder that is not a readable pin file. */
export interface SkippedPinFile {
  readonly name: string;
  readonly path: string;
  readonly error: string;
}

/**
 * The pin files of `dir`, by name; none when there is no folder. Throws when the folder itself
 * cannot be read.
 */
export async function readPinFolder(
  dir: string,
): Promise<{ entries: PinFileEntry[]; skipped: SkippedPinFile[] }> {
  const entries: PinFileEntry[] = [];
  const skipped: SkippedPinFile[] = [];
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { entries, skipped };
    throw error;
  }
  for (const name of names.sort()) {
    const match = PIN_FILE.exec(name);
    if (!match) continue;
    const entry = await readPinEntry(dir, match[1]);
    if ("error" in entry) skipped.push({ name, path: `${dir}/${name}`, error: entry.error });
    else entries.push(entry);
  }
  return { entries, skipped };
}

/** The pin file of identity `id` in `dir`, or why it cannot be read (`missing`: no file). */
export async function readPinEntry(
  dir: string,
  id: string,
): Promise<PinFileEntry | { error: string; missing?: true }> {
  const path = `${dir}/${id}.json`;
  try {
    const size = (await Deno.stat(path)).size;
    if (size > MAX_PIN_FILE_BYTES) return { error: `larger than ${MAX_PIN_FILE_BYTES} bytes` };
    return { id, path, doc: parsePinDocument(await Deno.readTextFile(path)) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { error: "no such file", missing: true };
    return { error: (error as Error).message };
  }
}
