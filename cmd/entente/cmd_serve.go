package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/server"
)

func cmdServe(g *globals, args []string) int {
	fs := newFlags(g, "serve", "serve [--addr HOST:PORT] [--open] [--token T] [--write] [--timeout D] [--limit N]")
	addr := fs.String("addr", "127.0.0.1:7474", "the address to listen on (a port of 0 picks a free one); off loopback it needs --token")
	open := fs.Bool("open", false, "open the page in the default browser")
	token := fs.String("token", "", "a secret every request must carry (Authorization: Bearer T, or the page opened once with ?token=T); default $ENTENTE_TOKEN")
	write := fs.Bool("write", false, "allow loads, amendments and retractions through the API (POST /api/load, /api/amend, /api/retract); needs --token")
	timeout := fs.Duration("timeout", query.DefaultTimeout, "stop each query after this long")
	limit := fs.Int("limit", query.DefaultLimit, "most rows of a query's answer (a limit clause in the query overrides it)")
	maxBody := fs.String("max-body", "1MiB", "largest JSON request accepted")
	maxLoad := fs.String("max-load", "64MiB", "largest file accepted by POST /api/load")
	maxAnswer := fs.String("max-answer", "32MiB", "largest answer or export sent")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if len(pos) > 0 {
		fmt.Fprintf(g.env.stderr, "entente: serve: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *token == "" {
		*token = g.env.getenv("ENTENTE_TOKEN")
	}
	if *timeout <= 0 {
		fmt.Fprintln(g.env.stderr, "entente: serve: --timeout must be positive")
		return exitUsage
	}
	sizes := map[string]*int64{}
	for name, v := range map[string]string{"max-body": *maxBody, "max-load": *maxLoad, "max-answer": *maxAnswer} {
		n, err := parseBytes(v)
		if err != nil {
			fmt.Fprintf(g.env.stderr, "entente: serve: --%s: %v\n", name, err)
			return exitUsage
		}
		sizes[name] = &n
	}
	if err := server.Check(*addr, *token); err != nil {
		fmt.Fprintf(g.env.stderr, "entente: serve: %v\n", err)
		return exitUsage
	}
	if *write && *token == "" {
		fmt.Fprintln(g.env.stderr, "entente: serve: --write needs --token: anyone who can reach the server could change the store")
		return exitUsage
	}
	if *write && g.readOnly {
		fmt.Fprintln(g.env.stderr, "entente: serve: --write and --read-only contradict each other")
		return exitUsage
	}
	var db *graph.DB
	if *write {
		db, st = g.open(false)
	} else {
		db, st = g.openReader()
	}
	if st >= 0 {
		return st
	}
	defer db.Close()
	srv, err := server.New(db, &server.Options{
		Token: *token, Write: *write, Timeout: *timeout, Limit: *limit,
		MaxBody: *sizes["max-body"], MaxLoad: *sizes["max-load"], MaxAnswer: *sizes["max-answer"],
		Version: versionString(),
	})
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: serve: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: serve: %v\n", err)
		return exitBad
	}
	// Every request's context ends with base: a query still running when
	// the grace period is over is cancelled, and waited for, before the
	// store closes.
	base, cancelBase := context.WithCancel(context.Background())
	defer func() { cancelBase(); srv.Wait() }()
	hs := &http.Server{
		Handler:           srv,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a load's upload
		WriteTimeout:      *timeout + time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	// Ctrl-C and SIGTERM stop the server from the moment it says where
	// it is.
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	page := "http://" + ln.Addr().String() + "/"
	mode := "read-only"
	if *write {
		mode = "loads, amendments and retractions allowed"
	}
	fmt.Fprintf(g.env.stdout, "entente: serving %s at %s (%s; Ctrl-C to stop)\n", g.storeName(), page, mode)
	if *open {
		u := page
		if *token != "" {
			u += "?token=" + url.QueryEscape(*token)
		}
		if err := openBrowser(g.env.getenv("BROWSER"), u); err != nil {
			fmt.Fprintf(g.env.stderr, "entente: serve: could not open a browser (%v); open %s\n", err, page)
		}
	}
	// Completion's index is built before the first keystroke, and waited
	// for (cancelled) before the store closes.
	warmed := make(chan struct{})
	go func() { srv.Warm(ctx); close(warmed) }()
	defer func() { cancel(); <-warmed }()
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(g.env.stderr, "entente: serve: %v\n", err)
			return exitBad
		}
	case <-ctx.Done():
		fmt.Fprintln(g.env.stderr, "entente: serve: stopping")
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := hs.Shutdown(sctx); err != nil {
			cancelBase() // queries still running past the grace period
			hs.Close()
		}
	}
	return exitOK
}

// openBrowser opens u in the user's browser: $BROWSER when set (the first
// of a colon-separated list; "%s" in it stands for the address, else the
// address is its argument), else the system's opener.
func openBrowser(browser, u string) error {
	var cmd *exec.Cmd
	if b, _, _ := strings.Cut(browser, ":"); strings.TrimSpace(b) != "" {
		words := strings.Fields(b)
		placed := false
		for i, w := range words {
			if strings.Contains(w, "%s") {
				words[i], placed = strings.ReplaceAll(w, "%s", u), true
			}
		}
		if !placed {
			words = append(words, u)
		}
		cmd = exec.Command(words[0], words[1:]...)
		if err := cmd.Start(); err != nil {
			return err
		}
		go cmd.Wait()
		return nil
	}
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
