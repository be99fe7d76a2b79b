#!/bin/sh
# The project's Deno (2.9.6: npm's @deno/<platform> package for this machine, which `npm ci`
# installs on macOS and Linux, arm64 and x64), as every npm script runs it, set up once here:
# - DENO_TLS_CA_STORE: trust the machine's CA store as well as Deno's bundled one, so that a
#   registry reached through a TLS proxy with its own CA (company networks; SSL_CERT_FILE) works
#   on the first run. Kept when already set.
# - DENO_NO_PACKAGE_JSON: package.json is npm's (the Denos, the Supabase CLI, PostgreSQL 17);
#   without this Deno would fetch all of it into its own cache and warn about the install
#   scripts it skips. Every import the tools use is in deno.json.
case "$(uname -s)-$(uname -m)" in
Darwin-arm64) platform=darwin-arm64 ;;
Darwin-x86_64) platform=darwin-x64 ;;
Linux-aarch64 | Linux-arm64) platform=linux-arm64-glibc ;;
Linux-x86_64) platform=linux-x64-glibc ;;
*) platform="$(uname -s)-$(uname -m)" ;;
esac
deno="$(dirname "$0")/../node_modules/@deno/$platform/deno"
if [ ! -x "$deno" ]; then
  echo "No Deno for this machine ($platform) in node_modules/@deno: run npm ci, which installs" >&2
  echo "Deno 2.9.6 on macOS and Linux (glibc), arm64 and x64; elsewhere see docs/setup.md." >&2
  exit 1
fi
DENO_TLS_CA_STORE="${DENO_TLS_CA_STORE:-mozilla,system}"
DENO_NO_PACKAGE_JSON=1
export DENO_TLS_CA_STORE DENO_NO_PACKAGE_JSON
exec "$deno" "$@"
