/** Test helpers: relay events as the relay would report them. Not part of km. */
import { parseText } from "../jsonrpc/message.ts";
import type { MessageEvent } from "./events.ts";

/** The event of a whole, forwarded line from the client, with `fields` on top. */
export function messageEvent(line: string, fields: Partial<MessageEvent> = {}): MessageEvent {
  return {
    direction: "client_to_server",
    seq: 1,
    at: 0,
    size: line.length + 1,
    message: parseText(line),
    text: line,
    elided: 0,
    forwarded: true,
    terminated: true,
    ...fields,
  };
}
