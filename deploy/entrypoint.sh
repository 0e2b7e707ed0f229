#!/bin/sh
# The image's entry point: `api` or `worker`, then any host arguments.
set -e
role="${1:-api}"
[ "$#" -gt 0 ] && shift
case "$role" in
  api) exec dotnet /app/api/Gateway.Api.dll "$@" ;;
  worker) exec dotnet /app/worker/Gateway.Workers.dll "$@" ;;
  *) echo "usage: api | worker [host arguments]" >&2; exit 2 ;;
esac
