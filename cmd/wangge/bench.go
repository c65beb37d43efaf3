package main

import (
	"context"
	"fmt"
	"io"
)

// runBench: wangge bench route | reports.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: wangge bench route|reports [flags]")
		return errUsage
	}
	switch args[0] {
	case "route":
		return benchRoute(ctx, args[1:], stdout, stderr)
	case "reports":
		return benchReports(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("bench: unknown benchmark %q (want route or reports)", args[0])
}
