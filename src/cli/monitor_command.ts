/** `km monitor [options] -- <server command...>`: flags to a config layer, then a session. */
import { KmError } from "../errors.ts";
import { CONFIG_OPTION, DATA_DIR_OPTION, HELP_OPTION, LOG_DIR_OPTION } from "./common_options.ts";
import type { OptionSpec, Parsed } from "./options.ts";

export const MONITOR_OPTIONS: readonly OptionSpec[] = [
  LOG_DIR_OPTION,
  {
    name: "log-file",
    kind: "value",
    valueName: "FILE",
    description: "append this session's records to FILE",
  },
  DATA_DIR_OPTION,
  {
    name: "log-bodies",
    kind: "value",
    valueName: "full|metadata",
    description: "log message bodies (default full, redacted)",
  },
  {
    name: "max-message-bytes",
    kind: "value",
    valueName: "SIZE",
    description: "largest message relayed (default 64MiB)",
  },
  {
    name: "session-id",
    kind: "value",
    valueName: "ID",
    description: "session id for the records (default: random)",
  },
  {
    name: "name",
    kind: "value",
    valueName: "NAME",
    description: "server name for logs (default: from the command)",
  },
  { name: "scrub-env", kind: "boolean", description: "pass the server only a minimal environment" },
  {
    name: "env-allow",
    kind: "list",
    valueName: "NAME",
    description: "with --scrub-env, also pass NAME (or PREFIX*)",
  },
  {
    name: "env",
    kind: "list",
    valueName: "NAME=VALUE",
    description: "set a variable for the server",
  },
  {
    name: "close-stdin-wait",
    kind: "value",
    valueName: "DURATION",
    description: "wait after closing stdin before SIGTERM (2s)",
  },
  {
    name: "terminate-wait",
    kind: "value",
    valueName: "DURATION",
    description: "wait after SIGTERM before SIGKILL (2s)",
  },
  { name: "no-redact", kind: "boolean", description: "do not redact secrets in the audit log" },
  {
    name: "policy",
    kind: "value",
    valueName: "PATH",
    description:
      "Rego policy: a directory, a .rego file, a bundle.tar.gz or a .wasm (default: built-in)",
  },
  { name: "policy-data", kind: "value", valueName: "FILE", description: "data for a .wasm policy" },
  { name: "no-policy", kind: "boolean", description: "evaluate no policy (not even the default)" },
  {
    name: "mode",
    kind: "value",
    valueName: "enforce|audit",
    description: "audit: record decisions, forward everything",
  },
  {
    name: "ui",
    kind: "boolean",
    description: "show this session in the dashboard (starts `km ui` if none runs)",
  },
  {
    name: "approval-timeout",
    kind: "value",
    valueName: "DURATION",
    description: "how long a message the policy holds for approval waits (45s), then denied",
  },
  CONFIG_OPTION,
  {
    name: "verbose",
    short: "v",
    kind: "boolean",
    description: "print a line per message on stderr",
  },
  { name: "quiet", short: "q", kind: "boolean", description: "no summary on exit" },
  HELP_OPTION,
];

const DIRECT: Record<string, string> = {
  "log-dir": "logDir",
  "log-file": "logFile",
  "data-dir": "dataDir",
  "log-bodies": "logBodies",
  "max-message-bytes": "maxMessageBytes",
  "session-id": "sessionId",
  name: "name",
  verbose: "verbose",
  quiet: "quiet",
};

/** The command-line configuration layer, shaped like km.jsonc. */
export function flagsLayer(values: Parsed["values"]): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(DIRECT)) if (flag in values) layer[key] = values[flag];
  const env: Record<string, unknown> = {};
  if (values["scrub-env"]) env.inherit = false;
  if (values["env-allow"]) env.allow = values["env-allow"];
  if (values.env) {
    const set: Record<string, string> = {};
    for (const pair of values.env as string[]) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new KmError("USAGE", `--env expects NAME=VALUE, got "${pair}"`);
      set[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    env.set = set;
  }
  if (Object.keys(env).length > 0) layer.env = env;
  const shutdown: Record<string, unknown> = {};
  if ("close-stdin-wait" in values) shutdown.closeStdinWait = values["close-stdin-wait"];
  if ("terminate-wait" in values) shutdown.terminateWait = values["terminate-wait"];
  if (Object.keys(shutdown).length > 0) layer.shutdown = shutdown;
  if (values["no-redact"]) layer.redaction = { enabled: false };
  const policy: Record<string, unknown> = {};
  if ("policy" in values) policy.path = values.policy;
  if (values["no-policy"]) policy.path = "none";
  if ("policy-data" in values) policy.data = values["policy-data"];
  if ("mode" in values) policy.mode = values.mode;
  if (Object.keys(policy).length > 0) layer.policy = policy;
  if (values.ui) layer.ui = { enabled: true };
  if ("approval-timeout" in values) layer.approvals = { timeout: values["approval-timeout"] };
  return layer;
}
