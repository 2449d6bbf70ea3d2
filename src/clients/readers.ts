/** Which reader a client's files need: JSON/JSONC with the client's server keys, or TOML. */
import type { Client } from "./clients.ts";
import { readJsonConfig } from "./json_config.ts";
import type { Reader } from "./sites.ts";
import { readTomlConfig } from "./toml_config.ts";

export function readerFor(client: Client): Reader {
  return client.format === "toml"
    ? readTomlConfig
    : (text, file) => readJsonConfig(text, file, client.maps);
}
