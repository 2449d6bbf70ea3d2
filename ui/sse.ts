/**
 * A reader of server-sent events from a byte stream's text. The page reads `/api/events` with
 * fetch rather than EventSource because EventSource cannot send a header, and the token goes
 * only in a header (ui/token.ts). Pure: text in, events out, in order.
 */

export interface SseEvent {
  /** The event's type: `message` when it names none. */
  readonly event: string;
  readonly data: string;
}

/**
 * A parser: feed it text as it arrives, in any pieces; it calls `onEvent` for each complete
 * event (a blank line ends one). Comments (`:` lines, the keep-alives) and `id`/`retry` fields
 * are ignored; an event without `data` is not dispatched, as in the HTML standard.
 */
export function sseParser(onEvent: (event: SseEvent) => void): (text: string) => void {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const line = (text: string) => {
    if (text === "") {
      if (data.length > 0) onEvent({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  return (text) => {
    buffer += text;
    // Lines end in \n, \r\n or \r; a \r at the very end may be the first half of \r\n.
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i];
      if (c !== "\n" && c !== "\r") continue;
      if (c === "\r" && i === buffer.length - 1) break;
      line(buffer.slice(start, i));
      if (c === "\r" && buffer[i + 1] === "\n") i++;
      start = i + 1;
    }
    buffer = buffer.slice(start);
  };
}
