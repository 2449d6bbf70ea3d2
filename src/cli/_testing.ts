/** Test helpers of the commands: `km policy` run as cli.ts runs it. Not part of km. */
import { bufferWriter, Diagnostics } from "../diagnostics.ts";
import { KmError } from "../errors.ts";
import { loadPolicy } from "../policy/build/load_policy.ts";
import { runPolicy } from "./policy_command.ts";

/** Runs `km policy <args>` as cli.ts does: KmErrors become messages and exit codes. */
export async function kmPolicy(
  args: string[],
  stdin = "",
): Promise<{ code: number; out: string; err: string }> {
  const out = bufferWriter();
  const err = bufferWriter();
  const io = {
    out,
    diagnostics: new Diagnostics(err),
    stdin: new Blob([stdin]).stream(),
    loadPolicy,
  };
  let code: number;
  try {
    code = await runPolicy(args, io);
  } catch (error) {
    if (!(error instanceof KmError)) throw error;
    io.diagnostics.error(error.message, error.hint);
    code = error.exitCode;
  }
  return { code, out: out.text(), err: err.text() };
}
