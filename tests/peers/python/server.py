"""An MCP test server on the official Python SDK (`mcp` from PyPI), for km's end-to-end tests.

Runs on mcp 2.x (`MCPServer`) and on mcp 1.x (`FastMCP`, renamed in 2.0): the same three tools
either way, served over stdio by the SDK's own transport, so a test sees how that SDK really
reads what km forwards.

Every executed tool call appends one JSON line, {"sdk", "version", "tool", "arguments"}, to the
file named by KM_TEST_EXEC_LOG before the result is returned: a test proves a call was blocked
by finding no line for it. No tool does anything real (`shell` runs nothing, `read_file` reads
nothing), so a test that fails to block does no harm.

    .tools/py-mcp2/bin/python tests/peers/python/server.py
"""

import json
import os
from importlib.metadata import version

try:
    from mcp.server.mcpserver import MCPServer as Server  # mcp >= 2
except ImportError:
    from mcp.server.fastmcp import FastMCP as Server  # mcp 1.x

VERSION = version("mcp")
# The name tests/sdk_servers.ts gives this server, so a line says which server executed it.
SDK = f"python-mcp{VERSION.split('.')[0]}"

server = Server(f"km-test-{SDK}")


def record(tool: str, arguments: dict) -> None:
    """Appends the call to the exec log in one write(2), so the line is whole once we return."""
    path = os.environ.get("KM_TEST_EXEC_LOG")
    if not path:
        return
    # ensure_ascii (the default): even a lone surrogate from a \ud800 escape writes as ASCII.
    entry = {"sdk": SDK, "version": VERSION, "tool": tool, "arguments": arguments}
    line = json.dumps(entry, separators=(",", ":"))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("ascii"))
    finally:
        os.close(fd)


# structured_output=False: plain text content only, the same shape the other SDKs' servers give.
@server.tool(description="Pretends to run a shell command: records it and runs nothing.",
             structured_output=False)
def shell(command: str) -> str:
    record("shell", {"command": command})
    return f"ran: {command}"


@server.tool(description="Returns the text it is given.", structured_output=False)
def echo(text: str) -> str:
    record("echo", {"text": text})
    return text


@server.tool(description="Pretends to read a file: records the path and reads nothing.",
             structured_output=False)
def read_file(path: str) -> str:
    record("read_file", {"path": path})
    return f"read: {path}"


if __name__ == "__main__":
    server.run()  # stdio
