#!/bin/sh
# The project's Deno (node_modules/.bin/deno), as every npm script runs it, set up once here:
# - DENO_TLS_CA_STORE: trust the machine's CA store as well as Deno's bundled one, so that a
#   registry reached through a TLS proxy with its own CA (company networks; SSL_CERT_FILE) works
#   on the first run. Kept when already set.
# - DENO_NO_PACKAGE_JSON: package.json is npm's (the Denos, the Supabase CLI, PostgreSQL 17);
#   without this Deno would fetch all of it into its own cache and warn about the install
#   scripts it skips. Every import the tools use is in deno.json.
DENO_TLS_CA_STORE="${DENO_TLS_CA_STORE:-mozilla,system}"
DENO_NO_PACKAGE_JSON=1
export DENO_TLS_CA_STORE DENO_NO_PACKAGE_JSON
exec "$(dirname "$0")/../node_modules/.bin/deno" "$@"
