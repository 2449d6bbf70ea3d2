"""An MCP test client on the official Python SDK (`mcp` from PyPI, 2.x), for km's end-to-end tests.

Starts the server command after `--` over stdio with the SDK's own transport (`mode="auto"`:
`server/discover` first, the 2026-07-28 protocol when the server speaks it, else `initialize`),
calls the tools given as JSON in --calls, and writes one JSON line per call to stdout:
{"tool", "ok", "text"} or {"tool", "ok": false, "error"}. Elicitation, whether a server's
`elicitation/create` (handshake era) or an `input_required` result's input request (2026-07-28),
is answered per --answer: accept, accept-session, decline, cancel, or wait (never answers).
Each elicitation is written as {"elicitation": message} first, with the time it arrived.

    .tools/py-mcp2/bin/python tests/peers/python/client.py --answer accept \
        --calls '[{"tool": "shell", "arguments": {"command": "ls"}}]' -- km monitor -- server
"""

import argparse
import asyncio
import json
import os
import sys
import time

from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult, Implementation

STARTED = time.monotonic()


def emit(entry: dict) -> None:
    sys.stdout.write(json.dumps(entry) + "\n")
    sys.stdout.flush()


def parse_args() -> tuple[argparse.Namespace, list[str]]:
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("client.py: the server command goes after --")
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--answer", default="accept",
                        choices=["accept", "accept-session", "decline", "cancel", "wait"])
    parser.add_argument("--calls", required=True)
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--no-elicitation", action="store_true")
    parser.add_argument("--list-tools", action="store_true")
    return parser.parse_args(argv[:split]), argv[split + 1:]


async def main() -> None:
    args, command = parse_args()

    async def on_elicit(_context, params):
        emit({"elicitation": getattr(params, "message", ""), "at_ms": elapsed_ms()})
        if args.answer == "wait":
            await asyncio.sleep(3600)
        if args.answer == "decline":
            return ElicitResult(action="decline")
        if args.answer == "cancel":
            return ElicitResult(action="cancel")
        scope = "session" if args.answer == "accept-session" else "once"
        return ElicitResult(action="accept", content={"scope": scope})

    # The SDK passes a server only a few variables by default; the tests need theirs passed on.
    server = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    options = {} if args.no_elicitation else {"elicitation_callback": on_elicit}
    async with Client(server, mode=args.mode,
                      client_info=Implementation(name="km-test-python-client", version="1"),
                      **options) as client:
        emit({"protocol": client.session.protocol_version if hasattr(client.session, "protocol_version") else None})
        if args.list_tools:
            listed = await client.list_tools()
            emit({"tools": sorted(tool.name for tool in listed.tools)})
        for call in json.loads(args.calls):
            started = elapsed_ms()
            try:
                result = await client.call_tool(call["tool"], call.get("arguments", {}))
                text = "".join(getattr(c, "text", "") for c in result.content)
                emit({"tool": call["tool"], "ok": not result.is_error, "text": text,
                      "started_ms": started})
            except Exception as error:  # noqa: BLE001 - the test reads what went wrong
                emit({"tool": call["tool"], "ok": False, "error": str(error),
                      "started_ms": started})


def elapsed_ms() -> float:
    return round((time.monotonic() - STARTED) * 1000, 1)


if __name__ == "__main__":
    asyncio.run(main())
