// `build`: `opa build -t wasm|plan -e ENTRYPOINT [--capabilities FILE] PATH...` with the bundle on
// standard output instead of `-o`. The compiler is set up as cmd/build.go's dobuild sets it up
// for those flags (every other flag at its default), so the bundle's bytes are the CLI's.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/version"
)

// defaultPublicKeyID is the CLI's default `--verification-key-id`.
const defaultPublicKeyID = "default"

var buildFlags = []flagSpec{
	{names: []string{"--target", "-t"}, hasValue: true},
	{names: []string{"--entrypoint", "-e"}, hasValue: true},
	{names: []string{"--capabilities"}, hasValue: true},
}

func runBuild(argv []string, stdout, stderr io.Writer) (int, error) {
	p, err := parseFlags("build", argv, buildFlags)
	if err != nil {
		return 0, err
	}
	if len(p.args) == 0 {
		return 0, usageError{"build: expected at least one path"}
	}
	target := p.values["--target"]
	if target != compile.TargetWasm && target != compile.TargetPlan {
		return 0, usageError{fmt.Sprintf("build: --target must be wasm or plan, not %q", target)}
	}
	if !p.set["--entrypoint"] {
		return 0, usageError{"build: --entrypoint is required"}
	}
	var capabilities *ast.Capabilities
	if p.set["--capabilities"] {
		if capabilities, err = loadCapabilities(p.values["--capabilities"]); err != nil {
			return 0, usageError{fmt.Sprintf("invalid argument %q for \"--capabilities\" flag: %v", p.values["--capabilities"], err)}
		}
	}
	var out bytes.Buffer
	if err := dobuild(target, p.values["--entrypoint"], capabilities, p.args, &out, stderr); err != nil {
		// The CLI prints this line on its standard output; ours carries the bundle.
		fmt.Fprintln(stderr, "error:", err)
		return 1, nil
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintln(stderr, "error: writing the bundle:", err)
		return 1, nil
	}
	return 0, nil
}

// loadCapabilities reads `--capabilities` as the CLI's capabilitiesFlag.Set does: a file, else a
// version name.
func loadCapabilities(pathOrVersion string) (*ast.Capabilities, error) {
	c, errPath := ast.LoadCapabilitiesFile(pathOrVersion)
	if errPath == nil {
		return c, nil
	}
	c, errVersion := ast.LoadCapabilitiesVersion(pathOrVersion)
	if errVersion != nil {
		return nil, fmt.Errorf("no such file or capabilities version found: %v", pathOrVersion)
	}
	return c, nil
}

// dobuild is cmd/build.go's dobuild with bundle mode, signing, verification and optimisation
// off, as km builds.
func dobuild(target, entrypoint string, capabilities *ast.Capabilities, paths []string, out io.Writer, stderr io.Writer) error {
	for _, arg := range paths {
		stat, err := os.Stat(arg)
		if err != nil || !stat.IsDir() {
			continue
		}
		for _, name := range []string{bundle.ManifestExt, bundle.ManifestProtoExt} {
			if _, err := os.Stat(filepath.Join(arg, name)); err == nil {
				fmt.Fprintf(stderr,
					"Warning: %s file found in %q but -b flag not specified. Manifest will be ignored.\n",
					name, arg,
				)
				break
			}
		}
	}
	if capabilities == nil {
		capabilities = ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.DefaultRegoVersion))
	}
	compiler := compile.New().
		WithCapabilities(capabilities).
		WithTarget(target).
		WithPlanFormat("json").
		WithAsBundle(false).
		WithPruneUnused(false).
		WithOptimizationLevel(0).
		WithOutput(out).
		WithEntrypoints(entrypoint).
		WithRegoAnnotationEntrypoints(true).
		WithPaths(paths...).
		WithFilter(func(abspath string, info os.FileInfo, _ int) bool {
			// Not in bundle mode, the CLI skips bundle archives among the paths.
			return !info.IsDir() && strings.HasSuffix(abspath, ".tar.gz")
		}).
		WithBundleLazyLoadingMode(bundle.HasExtension()).
		WithBundleVerificationConfig(nil).
		WithBundleSigningConfig(nil).
		WithPartialNamespace("partial").
		WithFollowSymlinks(false).
		WithPlanAddons([]string{}).
		WithRegoVersion(ast.DefaultRegoVersion).
		WithBundleVerificationKeyID(defaultPublicKeyID).
		WithEnablePrintStatements(target == compile.TargetPlan)
	return compiler.Build(context.Background())
}

func runVersion(stdout io.Writer) int {
	fmt.Fprintf(stdout, "Version: %s\n", version.Version)
	return 0
}
