# Belfry — two commands on a fresh machine:
#   make run    install what is missing, build (release), serve examples/config on :6001
#   make test   install what is missing, build once (debug), run every suite on that build
SHELL := /bin/bash
.DEFAULT_GOAL := help

APT_PACKAGES := libsqlite3-dev libssl-dev libgit2-dev openssl chromium chromium-driver redis-server git
# The documentation's PHP and Go examples and its nginx / Caddy proxy recipes run in make test (docs-test);
# node comes with the toolchain image.
DOCS_APT_PACKAGES := php-cli golang-go nginx caddy systemd
PYTHON := python3
PORT ?= 6001
DEBUG_BIN := $(CURDIR)/.build/debug/belfry
RELEASE_BIN := $(CURDIR)/.build/release/belfry

.PHONY: help deps apt-deps pip-deps build run test unit e2e e2e-nio lint format schemas clean bench bench-cluster bench-busflood fuzz fuzz-build fuzz-quick \
	docs docs-deps docs-serve docs-test docs-reference

help:
	@echo "make run    build in release mode and serve examples/config on port $(PORT)"
	@echo "make test   build once and run the Swift unit tests and the end-to-end suite"
	@echo "make lint   swift format lint --strict"
	@echo "make bench  Belfry vs nginx+nchan and the NIO and epoll floors, side by side (bench/compare.sh --floor; about 35 minutes)"
	@echo "make bench-cluster  one node vs two nodes over Redis (bench/cluster.sh; about 15 minutes)"
	@echo "make bench-busflood  a publisher on one node outpacing another node's fan-out (bench/busflood.sh; about a minute)"
	@echo "make fuzz   libFuzzer targets of the parsers, 300 s each (fuzz/README.md)"
	@echo "make docs   build the documentation site from docs/ into site/ (strict; open site/index.html)"
	@echo "make docs-serve  preview the documentation on http://127.0.0.1:8000/"

apt-deps:
	@missing=""; for p in $(APT_PACKAGES) $(DOCS_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v node >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs; }

pip-deps:
	@$(PYTHON) -m pip install -q --disable-pip-version-check -r tests/e2e/requirements.txt -r docs/requirements.txt

docs-deps:
	@$(PYTHON) -m pip install -q --disable-pip-version-check -r docs/requirements.txt

deps: apt-deps

build: deps
	swift build -c release --product belfry

run: build
	@echo "Status page: http://127.0.0.1:9601/ (sign in as alice@example.com, password belfry-demo: examples/config/users.yaml)"
	$(RELEASE_BIN) serve --source examples/config --port $(PORT) --data-dir .belfry

lint:
	swift format lint --strict --recursive Sources Tests Package.swift

format:
	swift format --in-place --recursive Sources Tests Package.swift

# One debug build with tests; everything below runs on it.
test: deps pip-deps lint
	swift build --build-tests
	swift build --product belfry
	swift build --product niofloor
	$(MAKE) --no-print-directory unit e2e e2e-nio docs docs-test fuzz-quick

unit:
	swift test --skip-build

e2e:
	BELFRY_BIN=$(DEBUG_BIN) $(PYTHON) -m pytest tests/e2e tests/schema -q -p no:cacheprovider

# The end-to-end suite again with the public port served by SwiftNIO (`--engine nio`; the
# default, `auto`, serves it on BelfryEpoll for the suite's IPv4 address).
e2e-nio:
	BELFRY_ENGINE=nio BELFRY_BIN=$(DEBUG_BIN) $(PYTHON) -m pytest tests/e2e -q -p no:cacheprovider

# The documentation site (docs/, mkdocs.yml): strict, so a broken link or anchor fails the build.
docs: docs-deps
	$(PYTHON) -m mkdocs build --strict --quiet

docs-serve: docs-deps
	$(PYTHON) -m mkdocs serve --dev-addr 127.0.0.1:8000

# The pages generated from schemas/, `belfry --help` and the OpenAPI document; tests/docs fails when they are stale.
docs-reference: build-debug
	$(PYTHON) scripts/docs_reference.py --belfry $(DEBUG_BIN)

# The documentation's examples, run against a real server (tests/docs).
docs-test:
	BELFRY_BIN=$(DEBUG_BIN) $(PYTHON) -m pytest tests/docs -q -p no:cacheprovider

build-debug:
	swift build --product belfry

# libFuzzer targets (fuzz/README.md), built apart from the main build in .build-fuzz.
fuzz-build:
	fuzz/run.sh build

fuzz: fuzz-build
	fuzz/run.sh run 300

# The short run that `make test` includes: every target for 15 s on a copy of its corpus.
fuzz-quick: fuzz-build
	fuzz/run.sh run 15

# Side-by-side benchmark against nginx+nchan, with the NIO and epoll floors (bench/niofloor) in the wsload
# scenarios; figures and method in BENCHMARKS.md.
bench: deps
	bench/compare.sh --floor

# One node against two nodes clustered over Redis (issue 15); figures and method in BENCHMARKS.md.
bench-cluster: deps
	swift build -c release --product belfry
	BELFRY_BIN=$(RELEASE_BIN) bench/cluster.sh

# A publisher on one node outpacing another node's fan-out (the cluster bus's pacing, issue 18).
bench-busflood: deps
	swift build -c release --product belfry
	bench/busflood.sh $(RELEASE_BIN)

# Re-embed schemas/*.schema.json into the binary after editing them (and into the OpenAPI
# document of /api/v1, Sources/belfry/Resources/openapi.json).
schemas:
	$(PYTHON) scripts/embed-schemas.py
	$(PYTHON) scripts/openapi.py

clean:
	rm -rf .build .build-fuzz .belfry site
