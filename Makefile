# Entente — build, test, benchmark.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 10s

.PHONY: all build test test-short bench lint fuzz clean

all: build test

# A static binary (no cgo: Go's own DNS resolver and user lookup) starts
# about a millisecond sooner than a dynamically linked one (B13).
build:
	CGO_ENABLED=0 $(GO) build -o bin/entente ./cmd/entente

# Every test: unit, conformance (Cayley's suites), integration on the
# 30k-movie data set, end-to-end through the real binary, crash and lock.
test:
	$(GO) test -count=1 -timeout 30m $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

# Every benchmark of bench/README.md (B1–B15), each measurement in its own process; rewrites
# bench/RESULTS.md.
bench:
	$(GO) run ./bench/cmd/benchrun -out bench/RESULTS.md

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# A short run of every fuzz target (FUZZTIME each), found by name in the
# test files so that a new target is never forgotten.
fuzz:
	@set -e; for f in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz ./$$(dirname $$f) $$name"; \
			$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f); \
		done; \
	done

clean:
	rm -rf bin
