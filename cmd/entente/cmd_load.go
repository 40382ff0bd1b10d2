package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/render"
)

func cmdLoad(g *globals, args []string) int {
	fs := newFlags(g, "load", "load [--format F] [--dry-run] [--keep-going] [--strict] [--create] FILE...\n       entente load --seed")
	format := fs.String("format", "", "input format: nquads, ntriples, csv, jsonld, seed (default: from each file's name)")
	dry := fs.Bool("dry-run", false, "read and validate everything, write nothing")
	keep := fs.Bool("keep-going", false, "load the valid statements and list every error, instead of loading nothing")
	strict := fs.Bool("strict", false, "follow the RDF 1.1 grammars to the letter (absolute IRIs only)")
	seed := fs.Bool("seed", false, "load the built-in seed graph (loading it again changes nothing)")
	create := fs.Bool("create", false, "CSV: create the entities, sectors and instruments the rows name that the graph lacks (from subject_type, object_type), instead of refusing them")
	maxLine := fs.String("max-line", "1MiB", "longest line accepted in line-based formats")
	maxSize := fs.String("max-size", "64GiB", "most bytes read from one input, after decompression")
	quiet := fs.Bool("quiet", false, "print no summary")
	verbose := fs.Bool("verbose", false, "report each committed batch on standard error")
	inBatches := fs.Bool("in-batches", false, "write committed transactions of 4,096 statements (reported by --verbose) even where the load would write the store's tables directly (into an empty store, or 65,536 statements or more): slower")
	replace := fs.Bool("replace", false, "what the files say replaces what the store says of the same statements and entities (qualifiers, names, a statement's relation), as one transaction, instead of a contradiction being refused")
	tf := addTxFlags(g, fs, "the same as --message")
	files, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if !tf.check(g) {
		return exitUsage
	}
	if *seed && len(files) > 0 {
		fmt.Fprintln(g.env.stderr, "entente: load: give either --seed or files, not both")
		return exitUsage
	}
	if !*seed && len(files) == 0 {
		fmt.Fprintln(g.env.stderr, "entente: load: no input files (give FILE..., - for standard input, or --seed)")
		return exitUsage
	}
	opts := &loader.Options{DryRun: *dry, KeepGoing: *keep, Strict: *strict, Create: *create, Stdin: g.env.stdin,
		Replace: *replace, Tx: tf.meta("")}
	if *inBatches {
		opts.Store = &graph.LoadOptions{BulkLimit: -1}
	}
	if *replace && *keep {
		fmt.Fprintln(g.env.stderr, "entente: load: --replace loads all or nothing; it does not take --keep-going")
		return exitUsage
	}
	if *format != "" {
		f, err := loader.ParseFormat(*format)
		if err != nil {
			fmt.Fprintf(g.env.stderr, "entente: load: %v\n", err)
			return exitUsage
		}
		opts.Format = f
	}
	var err error
	if opts.Limits.MaxLine, err = parseBytesInt(*maxLine); err != nil {
		fmt.Fprintf(g.env.stderr, "entente: load: --max-line: %v\n", err)
		return exitUsage
	}
	if opts.Limits.MaxSize, err = parseBytes(*maxSize); err != nil {
		fmt.Fprintf(g.env.stderr, "entente: load: --max-size: %v\n", err)
		return exitUsage
	}
	if g.readOnly && !*dry {
		fmt.Fprintln(g.env.stderr, "entente: load: the store is opened --read-only; a load writes (use --dry-run to only validate)")
		return exitUsage
	}
	db, st := g.openWith(&graph.Options{ReadOnly: *dry || g.readOnly, SmallWrites: !*seed && smallFiles(files)})
	if st >= 0 {
		return st
	}
	defer db.Close()

	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	label := "loading"
	if *seed {
		label = "the seed graph"
	}
	var bar *progressBar
	if g.env.stderrTTY {
		bar = newProgressBar(g.env.stderr, label, g.env.errWidth())
		opts.Progress = func(p loader.Progress) { bar.update(p.File, p.Bytes, p.Size, p.Quads, p.Writing) }
	}
	if *verbose {
		// On PostgreSQL a load is one transaction: its batches are
		// written but not committed until the end.
		verb := "committed"
		if graph.IsURL(g.storeDir()) {
			verb = "wrote (uncommitted until the load ends)"
		}
		opts.Committed = func(p graph.LoadProgress) {
			fmt.Fprintf(g.env.stderr, "entente: %s batch %d: %s statements read, %s new\n", verb, p.Batches, render.Thousands(p.Read), render.Thousands(p.Added))
		}
	}
	start := time.Now()
	var res *loader.Result
	if *seed {
		res, err = loadSeed(ctx, db, opts)
	} else {
		res, err = loader.Load(ctx, db, files, opts)
	}
	if bar != nil {
		bar.done()
	}
	if res != nil && len(res.Errors) > 0 {
		report(g.env.stderr, res.Errors)
	}
	if err != nil {
		st := report(g.env.stderr, err)
		if !*dry {
			fmt.Fprintln(g.env.stderr, "entente: nothing was loaded; the store is as it was")
		}
		return st
	}
	elapsed := time.Since(start).Round(time.Millisecond)
	if !*quiet {
		what := fmt.Sprintf("%d files", res.Files)
		if res.Files == 1 {
			what = "1 file"
		}
		if *seed {
			what = "the seed graph"
		}
		switch {
		case res.DryRun:
			checked := render.Count(res.Read, "statement")
			if res.Changes > 0 && res.Read == 0 {
				checked = render.Count(int64(res.Changes), "change")
			} else if res.Changes > 0 {
				checked += " and " + render.Count(int64(res.Changes), "change")
			}
			fmt.Fprintf(g.env.stdout, "checked %s from %s in %v: %s, nothing written\n",
				checked, what, elapsed, errorCount(len(res.Errors)))
		case res.Transactions > 0:
			fmt.Fprintf(g.env.stdout, "loaded the history of %s from %s in %v: the store holds %s\n",
				render.Count(int64(res.Transactions), "transaction"), what, elapsed, render.Count(res.Added, "statement"))
		case *replace:
			fmt.Fprintf(g.env.stdout, "loaded %s from %s in %v: %s new, %s replaced or removed%s\n",
				render.Count(res.Read, "statement"), what, elapsed, render.Thousands(res.Added), render.Thousands(res.Removed), txSuffix(res.Tx))
		case res.Changes > 0 && res.Read == 0:
			fmt.Fprintf(g.env.stdout, "made %s from %s in %v: %s added, %s removed%s\n",
				render.Count(int64(res.Changes), "change"), what, elapsed,
				render.Thousands(res.Added), render.Thousands(res.Removed), txSuffix(res.Tx))
		case res.Changes > 0:
			fmt.Fprintf(g.env.stdout, "loaded %s and %s from %s in %v: %s added, %s removed%s\n",
				render.Count(res.Read, "statement"), render.Count(int64(res.Changes), "change"), what, elapsed,
				render.Thousands(res.Added), render.Thousands(res.Removed), txSuffix(res.Tx))
		default:
			fmt.Fprintf(g.env.stdout, "loaded %s from %s in %v: %s new, %s already there%s\n",
				render.Count(res.Read, "statement"), what, elapsed, render.Thousands(res.Added), render.Thousands(res.Read-res.Added), txSuffix(res.Tx))
		}
	}
	if len(res.Errors) > 0 {
		return exitBad
	}
	return exitOK
}

// txSuffix names a load's transaction.
func txSuffix(tx graph.Tx) string {
	if tx.ID == 0 {
		return ""
	}
	return " (" + tx.Name() + ")"
}

func errorCount(n int) string {
	switch n {
	case 0:
		return "no errors"
	case 1:
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// parseBytes parses a size: 1048576, 64KiB, 1MiB, 2GiB (KB/MB/GB too).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}} {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suffix)) {
			s, mult = strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("not a size: %q (say 1048576, 64KiB, 1MiB or 2GiB)", s)
	}
	return n * mult, nil
}

func parseBytesInt(s string) (int, error) {
	n, err := parseBytes(s)
	if err != nil {
		return 0, err
	}
	if n > 1<<30 {
		return 0, fmt.Errorf("%s is over 1GiB", s)
	}
	return int(n), nil
}

// smallInput is the most a load may read for it to open the store for small
// writes (graph.Options.SmallWrites): no value from such input can reach
// that option's 1 MiB cap, and its statements take a few of its
// transactions.
const smallInput = 64 << 10

// smallFiles reports whether files are plain files, none compressed, of
// smallInput bytes or less in all. Standard input is never small: its
// size is not known in advance.
func smallFiles(files []string) bool {
	var n int64
	for _, name := range files {
		if name == "-" {
			return false
		}
		f, err := os.Open(name)
		if err != nil {
			return false
		}
		info, err := f.Stat()
		var magic [2]byte
		k, _ := io.ReadFull(f, magic[:])
		f.Close()
		if err != nil || !info.Mode().IsRegular() || (k == 2 && magic == [2]byte{0x1f, 0x8b}) {
			return false
		}
		n += info.Size()
	}
	return n <= smallInput
}
