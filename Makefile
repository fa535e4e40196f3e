# patrol — make help lists the targets.
GO       ?= go
BIN      ?= $(shell $(GO) env GOPATH)/bin
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
IMAGE    ?= localhost/patrol:$(VERSION)
# podman, else docker when its engine answers (a docker client alone cannot build).
ENGINE   ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || { docker info >/dev/null 2>&1 && echo docker; })

.PHONY: help build install test lint fuzz bench bench-hook bench-serve bench-replicas scan-self release-snapshot image image-check deploy-check

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build ./patrol
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o patrol ./cmd/patrol

install: ## install patrol into $(BIN) (on your PATH when GOPATH/bin is)
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/patrol

test: ## go vet + race-enabled tests (PostgreSQL ones on a throwaway cluster, see scripts/with-postgres.sh)
	$(GO) vet ./...
	bash scripts/with-postgres.sh $(GO) test -race ./...

lint: ## gofmt, go mod tidy check
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) mod tidy -diff
	cd deploy && $(GO) mod tidy -diff

fuzz: ## run every fuzz target briefly (FUZZTIME=10s)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-10s} $$pkg || exit 1; \
	  done; \
	done

bench: ## benchmarks: engine MB/s, and patrol vs git floors vs gitleaks on a history (BENCH_REPO=path)
	$(GO) test -run '^$$' -bench . -benchmem ./detectors ./scanner
	bash scripts/bench.sh
	bash scripts/bench-hook.sh

bench-hook: ## pre-commit latency: patrol scan --staged vs gitleaks on 50k files, 10k commits (RUNS=30)
	bash scripts/bench-hook.sh $(RUNS)

bench-serve: ## patrol serve: time to containment (p50/p95 of 20 pushes), an unchanged 100-repository sweep vs git fetch, steady RSS
	$(GO) test -run '^$$' -bench '^BenchmarkTimeToContainment$$' -benchtime 1x -timeout 30m ./service
	$(GO) test -run '^$$' -bench '^BenchmarkUnchangedSweep$$' -benchtime 3x -timeout 30m ./service
	bash scripts/bench-serve.sh

bench-replicas: ## patrol serve on PostgreSQL: repositories scanned per minute (and per core) by 1 vs 3 replicas; a state transition's p50 on each driver
	bash scripts/with-postgres.sh $(GO) test -run '^$$' -bench '^BenchmarkServeReplicas$$' -benchtime 2x -timeout 30m ./cmd/patrol
	bash scripts/with-postgres.sh $(GO) test -run '^$$' -bench '^BenchmarkTransition$$' -benchtime 3000x ./store

scan-self: build ## scan this repository's own history and tree with patrol
	./patrol scan .

release-snapshot: ## release archives and checksums.txt into dist/, offline, nothing published (needs goreleaser v2)
	@command -v goreleaser >/dev/null || { echo "goreleaser is not installed: see https://goreleaser.com/install"; exit 2; }
	goreleaser release --snapshot --clean

image: ## container image IMAGE (default localhost/patrol:VERSION) with podman or docker (BASE=image to change the final base; see Containerfile)
	@test -n "$(ENGINE)" || { echo "image: neither podman nor a running docker: apt-get install podman"; exit 2; }
	$(ENGINE) build --build-arg VERSION=$(VERSION) $(if $(BASE),--build-arg BASE=$(BASE)) -t $(IMAGE) -f Containerfile .

image-check: build ## build the image offline (base from this host's git) and run its patrol: version, a scan
	sh deploy/container/check.sh

# deploy/ is a module of its own: its tests' dependencies (k8s.io, kustomize, prometheus) stay
# out of patrol's go.mod, and out of make test's build.
deploy-check: image-check ## image-check, promtool check + test of the alert rules, Go tests of manifests, rules, dashboard, systemd-analyze verify
	@command -v promtool >/dev/null || { command -v apt-get >/dev/null || { echo "deploy-check: promtool missing (Debian package prometheus)"; exit 2; }; \
	  echo "deploy-check: installing promtool (Debian package prometheus)"; \
	  apt-get install -y -q --no-install-recommends prometheus >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null; }; }
	promtool check rules deploy/prometheus/patrol.rules.yml
	promtool test rules deploy/prometheus/patrol.rules.test.yml
	cd deploy && $(GO) test -count=1 ./...
	sh deploy/systemd/verify.sh patrol
