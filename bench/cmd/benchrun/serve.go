//go:build unix

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/entente-kg/entente/bench"
)

// b9Kinds are the requests of B9's mix, in the order reported.
var b9Kinds = []string{"complete", "entity", "neighbors", "path", "query"}

// b9result is B9: `entente serve` on Movies under concurrent clients.
type b9result struct {
	clients  int
	duration time.Duration
	lat      map[string][]float64 // ms, by kind
	errors   map[string]int
	firstErr string
	rssMB    float64
	err      error
}

// runB9 starts `entente serve` on the movie store and runs clients
// concurrent clients against its API for d, each looping over a mix of
// the page's requests: completion of a name being typed, a card, a
// neighbourhood (the page's first 100), the path between two of B3's
// actors, and an EQL query. Every answer must be 200.
func runB9(store string, clients int, d time.Duration) *b9result {
	r := &b9result{clients: clients, duration: d, lat: map[string][]float64{}, errors: map[string]int{}}
	bin := filepath.Join(tmp, "entente")
	build(bin, "./cmd/entente")
	cmd := exec.Command(bin, "--db", store, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "ENTENTE_TOKEN=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		r.err = err
		return r
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		r.err = err
		return r
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rssMB = float64(ru.Maxrss) / 1024
		}
	}()
	line, _ := bufio.NewReader(out).ReadString('\n')
	go io.Copy(io.Discard, out)
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) `).FindStringSubmatch(line)
	if m == nil {
		r.err = fmt.Errorf("serve printed %q", line)
		return r
	}
	base := m[1]
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	// The actors' ids, as the page has them from completion.
	var names []string
	for _, p := range bench.Pairs {
		names = append(names, p.A, p.B)
	}
	ids := map[string]string{}
	for _, n := range names {
		var a struct {
			Hits []struct{ ID, Name string } `json:"hits"`
		}
		resp, err := client.Get(base + "api/complete?limit=1&q=" + url.QueryEscape(n))
		if err != nil {
			r.err = err
			return r
		}
		err = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if err != nil || len(a.Hits) == 0 || a.Hits[0].Name != n {
			r.err = fmt.Errorf("completion of %q: %v %+v", n, err, a.Hits)
			return r
		}
		ids[n] = a.Hits[0].ID
	}
	var mu sync.Mutex
	record := func(kind string, ms float64, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			r.errors[kind]++
			if r.firstErr == "" {
				r.firstErr = kind + ": " + err.Error()
			}
			return
		}
		r.lat[kind] = append(r.lat[kind], ms)
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(seed))
			for i := 0; time.Now().Before(deadline); i++ {
				kind := b9Kinds[i%len(b9Kinds)]
				p := bench.Pairs[rnd.Intn(len(bench.Pairs))]
				var req *http.Request
				switch kind {
				case "complete":
					n := p.A[:min(len(p.A), 3+rnd.Intn(4))]
					req, _ = http.NewRequest("GET", base+"api/complete?q="+url.QueryEscape(n), nil)
				case "entity":
					req, _ = http.NewRequest("GET", base+"api/entity?limit=100&id="+url.QueryEscape(ids[p.A]), nil)
				case "neighbors":
					req, _ = http.NewRequest("GET", base+"api/neighbors?limit=100&id="+url.QueryEscape(ids[p.B]), nil)
				case "path":
					req, _ = http.NewRequest("GET", base+"api/path?from="+url.QueryEscape(ids[p.A])+"&to="+url.QueryEscape(ids[p.B]), nil)
				case "query":
					body := fmt.Sprintf(`{"query": %q}`, fmt.Sprintf("neighbors %q depth 2 limit 200", p.A))
					req, _ = http.NewRequest("POST", base+"api/query", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				record(kind, float64(time.Since(start).Microseconds())/1000, err)
			}
		}(int64(c))
	}
	wg.Wait()
	return r
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

// b9Heading starts B9's section.
const b9Heading = "## B9 "

// markdownB9 writes B9's section.
func markdownB9(b *strings.Builder, r *b9result) {
	fmt.Fprintf(b, "\n## B9 — the explorer's API under %d concurrent clients, Movies\n\n", r.clients)
	b.WriteString(stamp("B9"))
	b.WriteString(machine())
	fmt.Fprintf(b, "\n`entente serve` on the movie store (loopback, its defaults: 8 queries at once, the others waiting), and %d\n", r.clients)
	fmt.Fprintf(b, "clients in one other process for %v, each looping over the page's requests in turn: completion of the first 3–6\n", r.duration)
	b.WriteString("letters of one of B3's actors, that actor's card (`/api/entity`, 100 relations), a neighbourhood (`/api/neighbors`,\n")
	b.WriteString("100 nodes), the path between a B3 pair (`/api/path`), and `neighbors \"A\" depth 2 limit 200` (`POST /api/query`).\n")
	b.WriteString("Latency is from the request sent to the whole answer read, queueing included. Every answer must be a 200.\n\n")
	if r.err != nil {
		fmt.Fprintf(b, "**Failed**: %v\n", r.err)
		return
	}
	b.WriteString("| request | count | errors | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n")
	var all []float64
	errs := 0
	for _, k := range b9Kinds {
		xs := r.lat[k]
		all = append(all, xs...)
		errs += r.errors[k]
		fmt.Fprintf(b, "| %s | %s | %d | %.1f | %.1f | %.1f |\n", k, thousands(float64(len(xs))), r.errors[k], percentile(xs, .5), percentile(xs, .95), percentile(xs, 1))
	}
	fmt.Fprintf(b, "| **all** | %s | %d | %.1f | %.1f | %.1f |\n\n", thousands(float64(len(all))), errs, percentile(all, .5), percentile(all, .95), percentile(all, 1))
	fmt.Fprintf(b, "Throughput %.0f requests/s; the server's peak RSS %.0f MB.", float64(len(all))/r.duration.Seconds(), r.rssMB)
	if errs > 0 {
		fmt.Fprintf(b, " **%d errors**, the first: %s.", errs, r.firstErr)
	}
	b.WriteString("\n")
}
