/** Test helpers of config loading. Not part of km. */
import type { LoadOptions } from "./load.ts";

/** Loading options for a user on Linux in /proj, reading `files` (path to text) only. */
export function loadOptions(
  overrides: Partial<LoadOptions> & { files?: Record<string, string> } = {},
): LoadOptions {
  const files = overrides.files ?? {};
  return {
    cwd: "/proj",
    os: "linux",
    env: { HOME: "/home/u" },
    flags: {},
    readFile: (path) => files[path],
    ...overrides,
  };
}
