/**
 * What the stand-in servers (devenv_server.mjs, k8s_server.mjs) share: the exec log of the calls
 * they run, and the shape of their answers. Not part of km.
 */
import { appendFileSync } from "node:fs";

/**
 * A function that appends each executed call, {"server", "tool", "arguments"}, to the file named
 * by KM_TEST_EXEC_LOG, synchronously (one write(2), O_APPEND): the line is whole before the
 * server answers, so a test proves that a call km denied never ran.
 */
export function execRecorder(server) {
  return (tool, args) => {
    const path = process.env.KM_TEST_EXEC_LOG;
    if (path) {
      appendFileSync(path, JSON.stringify({ server, tool, arguments: args }) + "\n");
    }
  };
}

/** A tool result: `text`, and `structured` as its structuredContent when given. */
export const reply = (text, structured) => ({
  content: [{ type: "text", text }],
  ...(structured ? { structuredContent: structured } : {}),
});

/** A tool's failure (isError), saying why. */
export const failure = (message) => ({
  content: [{ type: "text", text: message }],
  isError: true,
});
