#!/usr/bin/env bash
# Contact import benchmark: generates a deterministic CSV (1,000,000 rows by default: realistic names, three
# attribute columns, ~1% bad rows, ~0.5% repeated emails), imports it through the real ContactImporter into
# SQLite and into MariaDB, times the contacts page, search and list page queries at that size, compares the bulk
# path with plain EF Core on a smaller file in the same run, and appends the results to docs/benchmarks.md.
#
#   bench/import.sh                          # both providers, 1,000,000 rows
#   IMPORT_ROWS=100000 bench/import.sh       # smaller
#   IMPORT_PROVIDERS=sqlite bench/import.sh  # one provider
#
# MariaDB: SENDCRAFT_BENCH_MYSQL is a server-level connection string (the run creates and drops its own database);
# without it, a throwaway mariadbd is started on a free loopback port, as scripts/test does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rows=${IMPORT_ROWS:-1000000}
compare_rows=${IMPORT_COMPARE_ROWS:-50000}
providers=${IMPORT_PROVIDERS:-"sqlite mysql"}
export PATH="$PATH:/usr/sbin" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=$(mktemp -d /tmp/sendcraft-bench-import.XXXXXX)
chmod 755 "$work"
cleanup() {
  if [ -n "$(type -t stop_throwaway_mariadb)" ]; then stop_throwaway_mariadb; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# The import process's own temporary folder (Path.GetTempPath) lands in $work too, so it goes even if the process is killed.
export TMPDIR="$work"

dotnet build bench/SendCraft.Bench.Import -c Release -nologo -v q
bin="$root/bench/SendCraft.Bench.Import/bin/Release/net10.0/SendCraft.Bench.Import"
"$bin" generate "$work/contacts.csv" "$rows"
"$bin" generate "$work/compare.csv" "$compare_rows"

mysql="${SENDCRAFT_BENCH_MYSQL:-}"
if [[ " $providers " == *" mysql "* && -z "$mysql" ]]; then
  . scripts/lib/mariadb.sh
  start_throwaway_mariadb "$work"
  mysql="$MARIADB_SERVER"
fi

mkdir -p docs
[ -f docs/benchmarks.md ] || printf '# Benchmarks\n\nResults appended by the runners under bench/. Newest last.\n' >docs/benchmarks.md
results="$work/results.md"
{
  echo
  echo "## Contact import, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM;" \
       ".NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}'); load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "File: $rows generated rows, $(du -h "$work/contacts.csv" | cut -f1) (bench/SendCraft.Bench.Import/CsvGenerator.cs)."
  echo
} >"$results"

for provider in $providers; do
  if [ "$provider" = mysql ]; then
    cs="$mysql"
    echo "MariaDB client: $(mariadb --version 2>/dev/null | awk '{print $5}' | tr -d ,)" >>"$results"
    echo >>"$results"
  else
    cs="Data Source=$work/bench.db"
  fi
  /usr/bin/time -v "$bin" run "$provider" "$cs" "$work/contacts.csv" "$work/compare.csv" >>"$results" 2>"$work/time-$provider.txt" \
    || { cat "$work/time-$provider.txt" >&2; printf '%s\n\n(The %s run failed; see its output.)\n' "$(cat "$results")" "$provider" >>docs/benchmarks.md; exit 1; }
  echo "Peak resident memory of the whole benchmark process ($provider, /usr/bin/time -v): $(awk -F: '/Maximum resident/ {print $2/1024}' "$work/time-$provider.txt" | xargs printf '%.0f') MB." >>"$results"
  echo >>"$results"
  rm -f "$work"/bench.db*
  # Each provider's results are kept as soon as they exist: a failure in the next one does not lose them.
  cat "$results" >>docs/benchmarks.md
  cat "$results"
  : >"$results"
done
