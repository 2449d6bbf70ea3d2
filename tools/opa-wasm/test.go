// `test`: `opa test [--verbose] [--explain notes|fails|full|debug] PATH...`, set up as
// cmd/test.go's opaTest and compileAndSetupTests set it up for those flags (every other flag at
// its default), with OPA's pretty reporter, so that its output is the CLI's.
package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/runtime/info"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"
)

var testFlags = []flagSpec{
	{names: []string{"--verbose", "-v"}},
	{names: []string{"--explain"}, hasValue: true},
}

func runTest(argv []string, stdout, stderr io.Writer) (int, error) {
	p, err := parseFlags("test", argv, testFlags)
	if err != nil {
		return 0, err
	}
	if len(p.args) == 0 {
		return 0, usageError{"test: specify at least one file"}
	}
	explain := p.values["--explain"]
	switch explain {
	case "", "notes", "fails", "full", "debug":
	default:
		return 0, usageError{fmt.Sprintf("test: --explain must be notes, fails, full or debug, not %q", explain)}
	}
	// As the CLI: an --explain turns on verbose output.
	verbose := p.set["--verbose"] || p.set["--explain"]
	return opaTest(p.args, verbose, explain, stdout, stderr), nil
}

func opaTest(paths []string, verbose bool, explain string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	popts := ast.ParserOptions{RegoVersion: ast.DefaultRegoVersion, ProcessAnnotation: true}
	modules, store, err := tester.LoadWithParserOptions(paths, noFilter, popts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	txn, err := store.NewTransaction(ctx, storage.WriteParams)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer store.Abort(ctx, txn)

	compiler := ast.NewCompiler().
		SetErrorLimit(ast.CompileErrorLimitDefault).
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn)).
		WithEnablePrintStatements(true).
		WithCapabilities(ast.CapabilitiesForThisVersion()).
		WithSchemas(nil).
		WithUseTypeCheckAnnotations(true).
		WithRewriteTestRules(false)
	runtimeInfo, err := info.New()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		EnableTracing(verbose).
		StackTraces(true).
		SetCoverageRuns([]cover.Kind{cover.KindIndexExcluded, cover.KindEarlyExit}).
		SetCoverageQueryTracer(nil).
		SetRuntime(runtimeInfo).
		SetModules(modules).
		SetBundles(nil).
		SetTimeout(5 * time.Second).
		Filter("").
		SetParallel(runtime.NumCPU())
	reporter := tester.PrettyReporter{Verbose: verbose, Output: stdout}

	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	exitCode := 0
	dup := make(chan *tester.Result)
	go func() {
		defer close(dup)
		for tr := range ch {
			if !tr.Pass() {
				exitCode = 2
			}
			tr.Trace = filterTrace(verbose, explain, tr.Trace)
			dup <- tr
		}
	}()
	if err := reporter.Report(dup); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return exitCode
}

// filterTrace is cmd/test.go's: notes and failures by default in verbose mode, else what
// --explain asks for.
func filterTrace(verbose bool, explain string, trace []*topdown.Event) []*topdown.Event {
	if explain == "" && verbose {
		return lineage.Filter(trace, func(event *topdown.Event) bool {
			return event.Op == topdown.NoteOp || event.Op == topdown.FailOp
		})
	}
	switch explain {
	case "", "fails": // "fails" is the flag's default
		return lineage.Fails(trace)
	case "notes":
		return lineage.Notes(trace)
	case "full":
		return lineage.Full(trace)
	case "debug":
		return lineage.Debug(trace)
	}
	return nil
}
