// Command opa-wasm is the part of the OPA command line that km runs, built for WebAssembly
// (GOOS=wasip1) so that km compiles and tests Rego in-process, with no opa binary and no Go on the
// user's machine. OPA's own CLI does not build for wasip1 (its REPL's terminal package has no
// wasip1 port), so this program calls the same OPA packages with the same settings as
// `opa build`, `opa test` and `opa eval` do (OPA v1.22.2, cmd/build.go, cmd/test.go,
// cmd/eval.go), for the flags km passes and no others, so that its output is the CLI's.
//
// I/O: the policy files are read from directories the host preopens under their own absolute
// paths (so OPA's messages and the bundle name the paths km gave it); the bundle of `build` is
// written to standard output, its errors to standard error. Nothing else is touched.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// usageError is a command line this program does not take; exit code 2, like a flag error of
// the CLI.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process's exit code, as the opa CLI's.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: opa-wasm build|test|eval [flags] args...")
		return 2
	}
	var code int
	var err error
	switch args[0] {
	case "build":
		code, err = runBuild(args[1:], stdout, stderr)
	case "test":
		code, err = runTest(args[1:], stdout, stderr)
	case "eval":
		code, err = runEval(args[1:], stdout, stderr)
	case "version":
		code = runVersion(stdout)
	default:
		err = usageError{fmt.Sprintf("unknown command %q: expected build, test, eval or version", args[0])}
	}
	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintln(stderr, "Error:", usage.msg)
		return 2
	}
	return code
}

// noFilter is the CLI's loader filter with no `--ignore`: it leaves out nothing.
func noFilter(string, os.FileInfo, int) bool { return false }
