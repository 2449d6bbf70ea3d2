/**
 * The two pipes km writes into: the server's stdin and the client's (km's stdout). When the
 * client goes away or closes its end, what it held is let go and the server is stopped in
 * stages, beginning with its stdin closed.
 */
import type { Diagnostics } from "../diagnostics.ts";
import { type ByteSink, streamSink } from "../relay/sink.ts";
import type { Lifecycle } from "./session_log.ts";

export interface PipesOptions {
  readonly serverStdin: WritableStream<Uint8Array>;
  readonly clientStdout: WritableStream<Uint8Array>;
  readonly lifecycle: Lifecycle;
  readonly diagnostics: Diagnostics;
  readonly verbose: boolean;
  /** The client left (`reason`): nobody is left to answer what it held. */
  readonly clientLeft: (reason: string) => void;
  /** The server's stdin is closed: stop the server if it does not end by itself. */
  readonly afterStdinClosed: () => void;
}

export interface SessionPipes {
  readonly toServer: ByteSink;
  readonly toClient: ByteSink;
  /** Writes km's own line to the client; false when the client is gone. */
  sendToClient(bytes: Uint8Array): boolean;
  /** The client's output ended (EOF, or failed with `fields.error`). */
  clientEnded(fields: Record<string, unknown>): void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sessionPipes(options: PipesOptions): SessionPipes {
  const { lifecycle, diagnostics } = options;
  const toServer = streamSink(
    options.serverStdin,
    (error) => lifecycle("server_stdin_closed", { error: errorText(error) }),
  );
  const closeServerStdin = () => void toServer.close().then(() => options.afterStdinClosed());
  let clientGone = false;
  const toClient = streamSink(options.clientStdout, (error) => {
    clientGone = true;
    lifecycle("client_gone", { error: errorText(error) });
    if (options.verbose) {
      diagnostics.info(`the client stopped reading (${errorText(error)}); stopping the server`);
    }
    options.clientLeft("the client disconnected");
    closeServerStdin();
  });
  return {
    toServer,
    toClient,
    sendToClient(bytes) {
      if (toClient.broken) return false;
      void toClient.write(bytes);
      return true;
    },
    clientEnded(fields) {
      if (clientGone) return;
      lifecycle("client_eof", fields);
      options.clientLeft("the client closed its end");
      closeServerStdin();
    },
  };
}
