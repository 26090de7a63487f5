# mediagate — the two commands a newcomer needs are `make run` and `make test`.
# Both install what they need (Debian packages, Go modules) themselves.

# The Go toolchain go.mod names: scripts/install-deps.sh (deps-run,
# deps-test) installs it in /usr/local/go when the go on PATH is missing
# or older, so that directory comes first here, as in .ci/run.
export PATH := /usr/local/go/bin:$(PATH)
GO        ?= go
BIN       := bin/mediagate
CONFIG    ?= configs/mediagate.toml
# The version: the top entry of packaging/deb/changelog, the one source of
# truth (a fresh clone without tags builds the same one). `make deb
# VERSION=…` builds another, for upgrade tests.
VERSION   ?= $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' packaging/deb/changelog)
DEB_DIR   ?= build/deb
REPO_DIR  ?= build/repo
ARCH      := $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null || echo amd64)
STATICCHECK_VERSION := v0.8.2
FUZZTIME  ?= 4s

.PHONY: all build deb repo run test test-short lint fuzz fuzz-long soak bench deps-run deps-test clean

all: build

# build: the hardened binary (PIE, -z relro -z now, fortified cgo), with the
# version stamped in; see scripts/build.sh.
build:
	GO=$(GO) scripts/build.sh $(BIN) $(VERSION)

# deb: $(DEB_DIR)/mediagate_$(VERSION)_$(ARCH).deb, built by hand from
# packaging/deb; see docs/packaging.md.
deb:
	GO=$(GO) scripts/build-deb.sh $(DEB_DIR) $(VERSION)

# repo: the signed apt repository of this version, $(REPO_DIR)/$(VERSION)/,
# signed with the gpg key that MEDIAGATE_SIGNING_KEY names.
repo: deb
	scripts/build-repo.sh $(REPO_DIR) $(DEB_DIR)/mediagate_$(VERSION)_$(ARCH).deb

deps-run:
	scripts/install-deps.sh run

# deps-test also builds LiveKit's server for tools/livekit's cluster test:
# once per machine (about 2 minutes), cached in ~/.cache/mediagate.
deps-test:
	scripts/install-deps.sh test
	GO=$(GO) scripts/livekit-server.sh >/dev/null

# run: the gateway on the shipped config, whose demo stream is a test
# pattern the gateway makes itself. Open the printed URL.
run: deps-run build
	scripts/run-demo.sh $(BIN) $(CONFIG)

# test: everything — lint, the whole suite under -race (real chromium,
# GStreamer and ffmpeg peers), each fuzz target briefly, each benchmark once.
# Packages run one at a time (-p 1): the end-to-end tests measure gaps and
# frame counts, and on 2 cores packages running side by side starve them.
test: deps-test lint
	$(GO) test -race -count=1 -p 1 -timeout 25m ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory bench BENCHTIME=1x FANOUT_FLAGS=-quick
	$(MAKE) --no-print-directory soak SOAK_FLAGS="$(SOAK_SHORT)"

# test-short: the quick loop; skips the browser and network-namespace tests.
test-short:
	$(GO) test -race -short -count=1 ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# fuzz: every fuzz target in the module (discovered), FUZZTIME each.
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# fuzz-long: every fuzz target for 10 minutes each (FUZZTIME=20s make
# fuzz-long, or make fuzz-long FUZZTIME=1h, for another time); it runs them
# all and ends with a table of executions and results. Not part of make test.
FUZZLONG_TIME = $(if $(filter command line environment,$(origin FUZZTIME)),$(FUZZTIME),10m)
fuzz-long:
	scripts/fuzz.sh $(FUZZLONG_TIME) --keep-going

# bench: the Go benchmarks, then the fan-out table against Janus (as root:
# Janus runs in a network namespace), then the TURN relay table against
# coturn, then the transcoding table against ffmpeg, then the instant-start
# table (a bridged join's CPU against ffmpeg; first-frame times in chromium,
# bridge against wait). `make test` runs each once, quickly.
BENCHTIME ?= 1s
FANOUT_FLAGS ?=
TURN_BENCH_FLAGS ?= $(if $(filter 1x,$(BENCHTIME)),-duration 1s,-duration 5s)
TRANSCODE_BENCH_FLAGS ?= $(if $(filter 1x,$(BENCHTIME)),-duration 2s -runs 1,)
START_BENCH_FLAGS ?= $(if $(filter 1x,$(BENCHTIME)),-quick,)
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...
	$(GO) run ./bench/fanout $(FANOUT_FLAGS)
	$(GO) run ./bench/turn $(TURN_BENCH_FLAGS)
	$(GO) run ./bench/transcode $(TRANSCODE_BENCH_FLAGS)
	$(GO) run ./bench/start $(START_BENCH_FLAGS)

# soak: one hour, 100 viewers of a 720p30 stream at 5 % random loss, a
# reload every 10 s, a camera restart every 2 minutes (as root: the gateway
# runs in a network namespace); RSS and goroutines over time, build/bench/
# soak.csv and soak.png. make test runs the 2-minute version, SOAK_SHORT:
# 20 viewers, a camera restart every 40 s. See docs/benchmarks.md.
SOAK_FLAGS ?= -soak 1h -viewers 100
SOAK_SHORT := -soak 2m -viewers 20 -soak-restart 40s
soak: deps-test
	$(GO) run ./bench/fanout $(SOAK_FLAGS)

clean:
	rm -rf bin build
