/** Options several commands share, described once. */
import type { OptionSpec } from "./options.ts";

export const HELP_OPTION: OptionSpec = {
  name: "help",
  short: "h",
  kind: "boolean",
  description: "show this help",
};

export const CONFIG_OPTION: OptionSpec = {
  name: "config",
  kind: "value",
  valueName: "FILE",
  description: "config file to use instead of ./km.jsonc",
};

export const LOG_DIR_OPTION: OptionSpec = {
  name: "log-dir",
  kind: "value",
  valueName: "DIR",
  description: "folder of session logs (default <data dir>/logs)",
};

export const DATA_DIR_OPTION: OptionSpec = {
  name: "data-dir",
  kind: "value",
  valueName: "DIR",
  description: "km's data folder (default ~/.local/share/km)",
};
