package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// TestRun runs the example's work and checks what it prints.
func TestRun(t *testing.T) {
	var b bytes.Buffer
	if err := run(context.Background(), t.TempDir(), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"loaded 3727 quads", "North Korea —", "Tokyo to New Delhi:", "exported", "north-korea-eu.graphml"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestMain builds and runs the example as a program.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the example")
	}
	out, err := exec.Command("go", "run", ".").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "exported") {
		t.Fatalf("go run: %v\n%s", err, out)
	}
}
