// Command km-test-go-server is an MCP test server on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk), for km's end-to-end tests: the same three tools as
// the Python and TypeScript test servers, served over stdio by the SDK's own transport, so a
// test sees how that SDK really reads what km forwards.
//
// Every executed tool call appends one JSON line, {"sdk", "version", "tool", "arguments"}, to
// the file named by KM_TEST_EXEC_LOG before the result is returned: a test proves a call was
// blocked by finding no line for it. No tool does anything real (shell runs nothing, read_file
// reads nothing), so a test that fails to block does no harm.
//
// Built by scripts/install_sdk_peers.ts into .tools/bin/km-test-go-server.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"runtime/debug"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const sdkModule = "github.com/modelcontextprotocol/go-sdk"

// sdkVersion is the go-sdk version this binary was built with, from its build information.
func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == sdkModule {
				return dep.Version
			}
		}
	}
	return "unknown"
}

var version = sdkVersion()

// record appends the call to the exec log in one write(2), so the line is whole once the
// handler returns. A failure to record is fatal: a test must never read a silent gap as "blocked".
func record(tool string, arguments map[string]string) {
	path := os.Getenv("KM_TEST_EXEC_LOG")
	if path == "" {
		return
	}
	line, err := json.Marshal(map[string]any{
		"sdk": "go-sdk", "version": version, "tool": tool, "arguments": arguments,
	})
	if err != nil {
		log.Fatalf("exec log: %v", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		log.Fatalf("exec log: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		log.Fatalf("exec log: %v", err)
	}
}

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

type shellInput struct {
	Command string `json:"command" jsonschema:"the command line"`
}

type echoInput struct {
	Text string `json:"text" jsonschema:"the text to return"`
}

type readFileInput struct {
	Path string `json:"path" jsonschema:"the file's path"`
}

func main() {
	server := mcp.NewServer(&mcp.Implementation{Name: "km-test-go-sdk", Version: version}, nil)
	// Out is `any`: no output schema and no structured content, plain text as the other servers give.
	mcp.AddTool(server, &mcp.Tool{
		Name:        "shell",
		Description: "Pretends to run a shell command: records it and runs nothing.",
	}, func(_ context.Context, _ *mcp.CallToolRequest, in shellInput) (*mcp.CallToolResult, any, error) {
		record("shell", map[string]string{"command": in.Command})
		return text("ran: " + in.Command), nil, nil
	})
	mcp.AddTool(server, &mcp.Tool{
		Name:        "echo",
		Description: "Returns the text it is given.",
	}, func(_ context.Context, _ *mcp.CallToolRequest, in echoInput) (*mcp.CallToolResult, any, error) {
		record("echo", map[string]string{"text": in.Text})
		return text(in.Text), nil, nil
	})
	mcp.AddTool(server, &mcp.Tool{
		Name:        "read_file",
		Description: "Pretends to read a file: records the path and reads nothing.",
	}, func(_ context.Context, _ *mcp.CallToolRequest, in readFileInput) (*mcp.CallToolResult, any, error) {
		record("read_file", map[string]string{"path": in.Path})
		return text("read: " + in.Path), nil, nil
	})
	if err := server.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		log.Fatal(err)
	}
}
