// Command km-test-go-client is an MCP test client on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk), for km's end-to-end tests: it drives a server (or km
// in front of one) the way a real Go host would, with the SDK's own CommandTransport, version
// negotiation and multi-round-trip driver, so a test sees how that SDK really reads what km says.
// Its command line and output are those of tests/peers/python/client.py.
//
// The server command goes after `--`; it inherits this process's whole environment (the tests pass
// KM_TEST_EXEC_LOG that way) and its stderr. By default the SDK probes with `server/discover` and
// speaks 2026-07-28 when the server does, else falls back to `initialize` (2025-11-25);
// `--mode legacy` offers 2025-11-25 to `initialize` directly. The tools in --calls (a JSON array of
// {"tool", "arguments"}) are called in order. One JSON line per event goes to stdout:
//
//	{"protocol": "<negotiated version>"}                    once connected
//	{"elicitation": "<message>", "at_ms": <ms since start>} per question asked
//	{"tool", "ok", "text", "started_ms"}                    per call that returned a result (ok: !isError)
//	{"tool", "ok": false, "error", "started_ms"}            per call that failed (a JSON-RPC error)
//
// Questions are a server's `elicitation/create` request (handshake era) or the input requests of
// an `input_required` result (2026-07-28), which the SDK's multi-round-trip middleware (on by
// default in go-sdk 1.8) passes to the same elicitation handler before retrying the call. They are
// answered per --answer: accept ({"scope": "once"}), accept-session ({"scope": "session"}),
// decline, cancel, or wait (never answers). --no-elicitation declares no elicitation capability.
//
//	km-test-go-client --answer accept --calls '[{"tool":"echo","arguments":{"text":"hi"}}]' -- server
//
// Built by scripts/install_sdk_peers.ts into .tools/bin/km-test-go-client.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// legacyProtocolVersion is what --mode legacy offers to `initialize`: the newest version before
// 2026-07-28, below which go-sdk 1.8 skips `server/discover` altogether.
const legacyProtocolVersion = "2025-11-25"

var started = time.Now()

func elapsedMs() float64 {
	return math.Round(float64(time.Since(started).Microseconds())/100) / 10
}

var stdoutMu sync.Mutex

// emit writes one JSON line; the elicitation handler runs on the SDK's goroutines, hence the lock.
func emit(entry any) {
	line, err := json.Marshal(entry)
	if err != nil {
		fail("encoding output: %v", err)
	}
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	os.Stdout.Write(append(line, '\n'))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "km-test-go-client: "+format+"\n", args...)
	os.Exit(2)
}

type call struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
}

type protocolLine struct {
	Protocol string `json:"protocol"`
}

type elicitationLine struct {
	Elicitation string  `json:"elicitation"`
	AtMs        float64 `json:"at_ms"`
}

type resultLine struct {
	Tool      string  `json:"tool"`
	Ok        bool    `json:"ok"`
	Text      string  `json:"text"`
	StartedMs float64 `json:"started_ms"`
}

type errorLine struct {
	Tool      string  `json:"tool"`
	Ok        bool    `json:"ok"`
	Error     string  `json:"error"`
	StartedMs float64 `json:"started_ms"`
}

type options struct {
	answer        string
	calls         []call
	mode          string
	noElicitation bool
	listTools     bool
	command       []string
}

func parseArgs(argv []string) options {
	split := slices.Index(argv, "--")
	if split < 0 || split == len(argv)-1 {
		fail("the server command goes after --")
	}
	flags := flag.NewFlagSet("km-test-go-client", flag.ExitOnError)
	answer := flags.String("answer", "accept", "accept | accept-session | decline | cancel | wait")
	callsJSON := flags.String("calls", "", `the calls, as JSON: [{"tool", "arguments"}, ...]`)
	mode := flags.String("mode", "auto", "auto (server/discover, else initialize) | legacy (initialize)")
	noElicitation := flags.Bool("no-elicitation", false, "declare no elicitation capability")
	listTools := flags.Bool("list-tools", false, `list the tools first: {"tools": [names, sorted]}`)
	flags.Parse(argv[:split])
	if flags.NArg() > 0 {
		fail("unexpected arguments before --: %q", flags.Args())
	}
	if !slices.Contains([]string{"accept", "accept-session", "decline", "cancel", "wait"}, *answer) {
		fail("--answer must be accept, accept-session, decline, cancel or wait, not %q", *answer)
	}
	if *mode != "auto" && *mode != "legacy" {
		fail("--mode must be auto or legacy, not %q", *mode)
	}
	if *callsJSON == "" {
		fail("--calls is required")
	}
	var calls []call
	if err := json.Unmarshal([]byte(*callsJSON), &calls); err != nil {
		fail("--calls is not a JSON array of {\"tool\", \"arguments\"}: %v", err)
	}
	return options{*answer, calls, *mode, *noElicitation, *listTools, argv[split+1:]}
}

func main() {
	opts := parseArgs(os.Args[1:])
	ctx := context.Background()

	clientOptions := &mcp.ClientOptions{}
	if !opts.noElicitation {
		clientOptions.ElicitationHandler = func(ctx context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			emit(elicitationLine{req.Params.Message, elapsedMs()})
			switch opts.answer {
			case "wait":
				<-ctx.Done()
				return nil, ctx.Err()
			case "decline", "cancel":
				return &mcp.ElicitResult{Action: opts.answer}, nil
			case "accept-session":
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"scope": "session"}}, nil
			default:
				return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"scope": "once"}}, nil
			}
		}
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "km-test-go-client", Version: "1"}, clientOptions)

	// exec.Cmd with a nil Env passes the whole environment on.
	command := exec.Command(opts.command[0], opts.command[1:]...)
	command.Stderr = os.Stderr
	var sessionOptions *mcp.ClientSessionOptions
	if opts.mode == "legacy" {
		sessionOptions = &mcp.ClientSessionOptions{ProtocolVersion: legacyProtocolVersion}
	}
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: command}, sessionOptions)
	if err != nil {
		fail("connecting to %s: %v", strings.Join(opts.command, " "), err)
	}
	defer session.Close()
	emit(protocolLine{session.InitializeResult().ProtocolVersion})
	if opts.listTools {
		listed, err := session.ListTools(ctx, nil)
		if err != nil {
			fail("tools/list: %v", err)
		}
		names := []string{}
		for _, tool := range listed.Tools {
			names = append(names, tool.Name)
		}
		slices.Sort(names)
		emit(map[string][]string{"tools": names})
	}

	for _, c := range opts.calls {
		startedMs := elapsedMs()
		arguments := c.Arguments
		if arguments == nil {
			arguments = map[string]any{}
		}
		result, err := session.CallTool(ctx, &mcp.CallToolParams{Name: c.Tool, Arguments: arguments})
		if err != nil {
			emit(errorLine{c.Tool, false, err.Error(), startedMs})
			continue
		}
		var text strings.Builder
		for _, content := range result.Content {
			if t, ok := content.(*mcp.TextContent); ok {
				text.WriteString(t.Text)
			}
		}
		emit(resultLine{c.Tool, !result.IsError, text.String(), startedMs})
	}
}
