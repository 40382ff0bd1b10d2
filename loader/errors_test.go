package loader_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

func TestErrorString(t *testing.T) {
	for _, c := range []struct {
		err  loader.Error
		want string
	}{
		{loader.Error{File: "a.nq", Line: 3, Col: 7, Msg: "bad"}, "a.nq:3:7: bad"},
		{loader.Error{File: "a.nq", Line: 3, Msg: "bad"}, "a.nq:3: bad"},
		{loader.Error{File: "a.nq", Msg: "bad"}, "a.nq: bad"},
		{loader.Error{File: "a.nq", Col: 4, Msg: "bad"}, "a.nq: bad"}, // a column without a line says nothing
		{loader.Error{Line: 1, Col: 1, Msg: "bad"}, "input:1:1: bad"},
		{loader.Error{File: "-", Line: 2, Col: 1, Msg: "bad"}, "-:2:1: bad"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.err, got, c.want)
		}
	}
	e := &loader.Error{File: "a", Line: 1, Col: 1, Msg: "m", Kind: loader.ErrLimit}
	if !errors.Is(e, loader.ErrLimit) || errors.Is(e, loader.ErrSyntax) {
		t.Errorf("Unwrap: %v", e.Unwrap())
	}
}

func TestCaret(t *testing.T) {
	long := strings.Repeat("a", 60) + "X" + strings.Repeat("b", 200)
	for _, c := range []struct {
		name string
		err  loader.Error
		want string
	}{
		{"simple", loader.Error{Src: "abc def", Col: 5}, "abc def\n    ^"},
		{"first column", loader.Error{Src: "abc", Col: 1}, "abc\n^"},
		{"end of line", loader.Error{Src: "abc", Col: 4}, "abc\n   ^"},
		{"past the end", loader.Error{Src: "abc", Col: 10}, "abc\n   ^"},
		{"line end trimmed", loader.Error{Src: "abc\r\n", Col: 2}, "abc\n ^"},
		{"tab shown as a space", loader.Error{Src: "\tab", Col: 2}, " ab\n ^"},
		{"control characters", loader.Error{Src: "a\x01b\x7fc", Col: 5}, "a?b?c\n    ^"},
		{"characters, not bytes", loader.Error{Src: "é›¶x", Col: 3}, "é›¶x\n  ^"},
		{"no source", loader.Error{Col: 3}, ""},
		{"no column", loader.Error{Src: "abc"}, ""},
		{"long line", loader.Error{Src: long, Col: 61},
			"…" + strings.Repeat("a", 50) + "X" + strings.Repeat("b", 49) + "…\n" + strings.Repeat(" ", 51) + "^"},
		{"long line, near the start", loader.Error{Src: long, Col: 3}, long[:100] + "…\n  ^"},
		{"long line, near the end", loader.Error{Src: long, Col: 260},
			"…" + long[161:] + "\n" + strings.Repeat(" ", 99) + "^"},
	} {
		if got := c.err.Caret(); got != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
}

func TestErrorList(t *testing.T) {
	a := &loader.Error{File: "f", Line: 1, Col: 2, Msg: "one", Kind: loader.ErrSyntax}
	b := &loader.Error{File: "f", Line: 5, Col: 1, Msg: "two", Kind: loader.ErrInvalid}
	for _, c := range []struct {
		l    loader.ErrorList
		want string
	}{
		{nil, "no errors"},
		{loader.ErrorList{a}, "f:1:2: one"},
		{loader.ErrorList{a, b}, "f:1:2: one (and 1 more errors)"},
	} {
		if got := c.l.Error(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	var err error = loader.ErrorList{a, b}
	var le *loader.Error
	if !errors.As(err, &le) || le != a {
		t.Errorf("errors.As finds %v, want the first", le)
	}
	if !errors.Is(err, loader.ErrInvalid) {
		t.Errorf("errors.Is does not see the second error's kind")
	}
}

// TestCancel cancels a load part way: it stops with the context's error
// and leaves the store as it was.
func TestCancel(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		b.WriteString("<http://ex/a> <http://ex/p> \"")
		b.WriteString(strings.Repeat("v", i%50))
		b.WriteString("\" .\n")
	}
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
	before := snapshot(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := loader.LoadSources(ctx, db, []loader.Source{stringSource("c.nq", b.String())}, &loader.Options{
		Store:    &graph.LoadOptions{BatchSize: 64},
		Progress: func(loader.Progress) { cancel() },
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if snapshot(t, db) != before {
		t.Errorf("a cancelled load changed the store")
	}
	// A dry run stops too.
	ctx, cancel = context.WithCancel(context.Background())
	_, err = loader.LoadSources(ctx, db, []loader.Source{stringSource("c.nq", b.String())}, &loader.Options{
		DryRun:   true,
		Progress: func(loader.Progress) { cancel() },
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("dry run: error %v, want context.Canceled", err)
	}
}
