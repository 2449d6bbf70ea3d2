// `eval`: `opa eval --format json --data PATH... [--input FILE] QUERY`, set up as cmd/eval.go's
// setupEval and eval set it up for those flags (every other flag at its default), printing the
// result as OPA's presentation package does (presentation.go), so that its output is the CLI's.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/runtime/info"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/util"
)

var evalFlags = []flagSpec{
	{names: []string{"--format", "-f"}, hasValue: true},
	{names: []string{"--data", "-d"}, hasValue: true},
	{names: []string{"--input", "-i"}, hasValue: true},
}

func runEval(argv []string, stdout, stderr io.Writer) (int, error) {
	p, err := parseFlags("eval", argv, evalFlags)
	if err != nil {
		return 0, err
	}
	if format := p.values["--format"]; format != "json" {
		return 0, usageError{fmt.Sprintf("eval: --format json is required (got %q)", format)}
	}
	if len(p.args) != 1 {
		return 0, usageError{"eval: specify exactly one query argument"}
	}
	var data []string
	if p.set["--data"] {
		data = []string{p.values["--data"]}
	}
	err = eval(p.args[0], data, p.values["--input"], stdout)
	if err != nil {
		if _, ok := err.(outputErrors); !ok {
			fmt.Fprintln(stderr, err)
		}
		return 2, nil
	}
	return 0, nil
}

// eval is cmd/eval.go's setupEval, evalOnce and eval for one evaluation, JSON output.
func eval(query string, dataPaths []string, inputPath string, w io.Writer) error {
	ctx := context.Background()
	runtimeInfo, err := info.New()
	if err != nil {
		return err
	}
	regoArgs := []func(*rego.Rego){
		rego.Query(query),
		rego.Runtime(runtimeInfo),
		rego.SetRegoVersion(ast.DefaultRegoVersion),
		rego.StoreReadAST(false),
		rego.SkipBundleVerification(true),
	}
	evalArgs := []rego.EvalOption{
		rego.EvalRuleIndexing(true),
		rego.EvalEarlyExit(true),
		rego.EvalNondeterministicBuiltins(false),
	}
	if len(dataPaths) > 0 {
		regoArgs = append(regoArgs, rego.Load(dataPaths, noFilter))
	}
	if inputPath != "" {
		inputBytes, err := os.ReadFile(inputPath)
		if err != nil {
			return err
		}
		var input any
		if err := util.Unmarshal(inputBytes, &input); err != nil {
			return fmt.Errorf("unable to parse input: %s", err.Error())
		}
		inputValue, err := ast.InterfaceToValue(input)
		if err != nil {
			return fmt.Errorf("unable to process input: %s", err.Error())
		}
		regoArgs = append(regoArgs, rego.ParsedInput(inputValue))
	}
	schemaSet, err := loader.Schemas("")
	if err != nil {
		return err
	}
	regoArgs = append(regoArgs,
		rego.Schemas(schemaSet),
		rego.DisableInlining([]string{}),
		rego.ShallowInlining(false),
		rego.StackTraces(true),
		rego.Capabilities(ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.DefaultRegoVersion))),
		rego.EnablePrintStatements(true),
		rego.PrintHook(topdown.NewPrintHook(os.Stderr)),
	)

	var result output
	r := rego.New(append(regoArgs, rego.CompilerHook(func(c *ast.Compiler) {
		ctx = ast.WithCompiler(ctx, c)
	}))...)
	pq, resultErr := r.PrepareForEval(ctx)
	if resultErr == nil {
		result.Result, resultErr = pq.Eval(ctx, evalArgs...)
	}
	result.Errors = newOutputErrors(resultErr)

	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(result); err != nil {
		return err
	}
	if len(result.Errors) > 0 {
		return result.Errors
	}
	return nil
}

// output is the members of internal/presentation's Output that a plain evaluation fills, in
// its order and with its JSON names.
type output struct {
	Errors outputErrors   `json:"errors,omitempty"`
	Result rego.ResultSet `json:"result,omitempty"`
}

// outputErrors and outputError are internal/presentation's OutputErrors and OutputError.
type outputErrors []outputError

func (e outputErrors) Error() string {
	if len(e) == 0 {
		return "no error(s)"
	}
	var prefix string
	if len(e) == 1 {
		prefix = "1 error occurred: "
	} else {
		prefix = fmt.Sprintf("%d errors occurred:\n", len(e))
	}
	s := make([]string, 0, len(e))
	for _, err := range e {
		s = append(s, err.Error())
		if l, ok := err.Details.(string); ok {
			s = append(s, l)
		}
		if len(err.StackTrace) > 0 {
			s = append(s, "\nTraceback:\n"+err.StackTrace.String())
		}
	}
	return prefix + strings.Join(s, "\n")
}

type outputError struct {
	Message    string             `json:"message"`
	Code       string             `json:"code,omitempty"`
	Location   *ast.Location      `json:"location,omitempty"`
	Details    any                `json:"details,omitempty"`
	StackTrace topdown.StackTrace `json:"stack_trace,omitempty"`
	err        error
}

func (j outputError) Error() string { return j.err.Error() }

// newOutputErrors is internal/presentation's NewOutputErrors.
func newOutputErrors(err error) []outputError {
	var errs []outputError
	if err == nil {
		return errs
	}
	switch typedErr := err.(type) {
	case *ast.Error:
		errs = []outputError{{
			Code: typedErr.Code, Message: typedErr.Message, Details: typedErr.Details,
			Location: typedErr.Location, err: typedErr,
		}}
	case *topdown.Error:
		errs = []outputError{{
			Code: typedErr.Code, Message: typedErr.Message, Location: typedErr.Location,
			StackTrace: typedErr.StackTrace, err: typedErr,
		}}
	case *storage.Error:
		errs = []outputError{{Code: typedErr.Code, Message: typedErr.Message, err: typedErr}}
	case ast.Errors:
		for _, e := range typedErr {
			if e != nil {
				errs = append(errs, newOutputErrors(e)...)
			}
		}
	case rego.Errors:
		for _, e := range typedErr {
			if e != nil {
				errs = append(errs, newOutputErrors(e)...)
			}
		}
	case loader.Errors:
		for _, e := range typedErr {
			if e != nil {
				errs = append(errs, newOutputErrors(e)...)
			}
		}
	default:
		hasStructuredCode := func(e outputError) bool { return e.Code != "" }
		if inner := errors.Unwrap(err); inner != nil {
			if unwrapped := newOutputErrors(inner); slices.ContainsFunc(unwrapped, hasStructuredCode) {
				return unwrapped
			}
		}
		errs = []outputError{{Message: err.Error(), err: typedErr}}
		if d, ok := err.(rego.ErrorDetails); ok {
			errs[0].Details = strings.Join(d.Lines(), "\n")
		}
	}
	return errs
}
