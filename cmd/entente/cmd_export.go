package main

import "fmt"

func cmdExport(g *globals, args []string) int {
	fmt.Fprintln(g.env.stderr, "entente: export: not available yet")
	return exitUsage
}
