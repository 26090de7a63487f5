# mediagate — the two commands a newcomer needs are `make run` and `make test`.
# Both install what they need (Debian packages, Go modules) themselves.

GO        ?= go
BIN       := bin/mediagate
CONFIG    ?= configs/mediagate.toml
VERSION   ?= $(shell dpkg-parsechangelog -l packaging/deb/changelog -S Version 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
FUZZTIME  ?= 5s
# The fuzz targets `make test` runs briefly: package and target.
FUZZ_TARGETS := \
	./gateway/codec:FuzzIsKeyframe \
	./gateway/config:FuzzParse \
	./gateway/ingest:FuzzClassify \
	./gateway/egress:FuzzOffer \
	./gateway/whep:FuzzSDPFrag \
	./gateway/whep:FuzzPost \
	./gateway/api:FuzzBearerToken \
	./gateway/api:FuzzEncodeEvent

.PHONY: all build run test test-short lint fuzz bench deps-run deps-test clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mediagate

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

# run: the gateway on the shipped config, with a GStreamer test pattern
# pushing H.264 at its default stream, cam1. Open the printed URL.
run: deps-run build
	scripts/run-demo.sh $(BIN) $(CONFIG)

# test: everything — lint, the whole suite under -race (real chromium,
# GStreamer and ffmpeg peers), each fuzz target briefly, each benchmark once.
test: deps-test lint
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory bench BENCHTIME=1x FANOUT_FLAGS=-quick

# test-short: the quick loop; skips the browser and network-namespace tests.
test-short:
	$(GO) test -race -short -count=1 ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s $$pkg; \
	done

# bench: the Go benchmarks, then the fan-out table against Janus (as root:
# Janus runs in a network namespace). `make test` runs each once, quickly.
BENCHTIME ?= 1s
FANOUT_FLAGS ?=
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...
	$(GO) run ./bench/fanout $(FANOUT_FLAGS)

clean:
	rm -rf bin build
