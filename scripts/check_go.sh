#!/usr/bin/env bash
# Checks the Go code of the scale bench's native instrument (bench/native): gofmt, go vet, go test.
# Go is required (the bench builds the tool with it); a missing toolchain fails with one line.
set -euo pipefail

cd "$(dirname "$0")/../bench/native"
go=$(command -v go || true)
if [ -z "$go" ] && [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go; fi
if [ -z "$go" ]; then
  echo "check_go: Go is not installed (PATH, /usr/local/go/bin/go); bench/native needs Go 1.22 or newer: https://go.dev/dl/" >&2
  exit 2
fi
export GOTOOLCHAIN=local CGO_ENABLED=0
unformatted=$("$(dirname "$go")/gofmt" -l .)
if [ -n "$unformatted" ]; then
  echo "check_go: not gofmt-formatted (run gofmt -w bench/native): $unformatted" >&2
  exit 1
fi
"$go" vet ./...
"$go" test ./...
