/** The official MCP SDK client, set up the way the end-to-end tests and real hosts use it. */
// The SDK's "./*" export points the types of `x.js` at `x.js.d.ts`, which does not exist;
// these hints give Deno the real declarations.
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** An SDK client and the messages it sent and received. */
export interface Counted {
  client: Client;
  transport: StdioClientTransport;
  sent: number;
  received: number;
}

/** How the client answers `elicitation/create`; `false`: it does not declare elicitation. */
export type Elicit =
  | false
  | ((
    request: { params: Record<string, unknown> },
    extra: { signal: AbortSignal },
  ) => unknown);

/**
 * Connects an SDK client to `command`, counting the messages it sends and receives. By default
 * the client declares every capability and declines elicitations.
 */
export async function connect(
  command: string[],
  env?: Record<string, string>,
  elicit: Elicit = () => ({ action: "decline" as const }),
): Promise<Counted> {
  const transport = new StdioClientTransport({
    command: command[0],
    args: command.slice(1),
    env,
    stderr: "pipe",
  });
  // Drain stderr so a chatty server never blocks.
  transport.stderr?.on("data", () => {});
  const client = new Client(
    { name: "km-e2e", version: "1.0.0" },
    {
      capabilities: {
        sampling: {},
        ...(elicit ? { elicitation: {} } : {}),
        roots: { listChanged: true },
      },
    },
  );
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: "test-model",
    role: "assistant" as const,
    content: { type: "text" as const, text: "canned answer" },
  }));
  if (elicit) {
    // deno-lint-ignore no-explicit-any
    client.setRequestHandler(ElicitRequestSchema, elicit as any);
  }
  client.setRequestHandler(
    ListRootsRequestSchema,
    () => ({ roots: [{ uri: "file:///tmp/project", name: "project" }] }),
  );
  const counted: Counted = { client, transport, sent: 0, received: 0 };
  const send = transport.send.bind(transport);
  transport.send = (message) => {
    counted.sent++;
    return send(message);
  };
  await client.connect(transport);
  // The SDK sets onmessage during connect; wrap it afterwards.
  const onmessage = transport.onmessage!;
  transport.onmessage = (message) => {
    counted.received++;
    onmessage(message);
  };
  return counted;
}
