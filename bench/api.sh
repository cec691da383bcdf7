#!/usr/bin/env bash
# bench/run api: the transactional REST API on MariaDB, measured with wrk (Debian) from outside the process.
#   1. POST /api/v1/messages, one message per request, API_CONNECTIONS (64) connections for API_SECONDS (20) s;
#   2. POST /api/v1/messages/batch with API_BATCH (100) messages per request, 16 connections;
#   3. where the time goes: the same connections on GET /healthz (no auth, one tiny query) and on an authenticated
#      GET /api/v1/messages/1 (auth + rate limit + one indexed read), against the send (auth + validation + two reads +
#      insert transaction).
# The app runs as its own Release process (workers off: what is measured is durably queueing, the API's answer comes
# after the commit); the rows in the database are counted afterwards and must equal the 202 answers.
# MariaDB: SENDCRAFT_BENCH_MYSQL (a server-level connection string), else a throwaway server as scripts/test starts.
# Results are appended to docs/benchmarks.md (API_NO_WRITE=1 to only print).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${API_SECONDS:-20}
connections=${API_CONNECTIONS:-64}
batch=${API_BATCH:-100}
export PATH="$PATH:/usr/sbin" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d /tmp/sendcraft-bench-api.XXXXXX)
chmod 755 "$work"
app_pid=
cleanup() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true; fi
  if [ -n "$(type -t dropdb)" ]; then dropdb; fi
  if [ -n "$(type -t stop_throwaway_mariadb)" ]; then stop_throwaway_mariadb; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TMPDIR="$work"

dotnet build SendCraft.Web -c Release -nologo -v q
. scripts/lib/mariadb.sh
server="${SENDCRAFT_BENCH_MYSQL:-}"
if [ -z "$server" ]; then
  # Durable means on disk: the redo log is flushed at every commit, as a production server does by default (the
  # test server skips it). Concurrent commits share one flush (group commit).
  MARIADB_FLUSH_AT_COMMIT=1 start_throwaway_mariadb "$work"
  server="$MARIADB_SERVER"
fi
field() { echo "$server" | tr ';' '\n' | grep -i "^$1=" | head -1 | cut -d= -f2-; }
db=sendcraft_bench_api_$$
sql() { mariadb -h "$(field Server)" -P "$(field Port)" -u "$(field 'User ID')" -p"$(field Password)" "$@"; }

sql -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
dropdb() { sql -e "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; }

# The app, as production runs it but on a loopback port, with its request logs off.
port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/dp-key.pem" -out "$work/dp.pem" -days 2 -subj /CN=sendcraft-bench 2>/dev/null
env ASPNETCORE_ENVIRONMENT=Benchmark Database__Provider=MySql ConnectionStrings__SendCraft="$server;Database=$db;Maximum Pool Size=128" \
  Sending__WorkersEnabled=false DataProtection__CertificatePath="$work/dp.pem" DataProtection__CertificateKeyPath="$work/dp-key.pem" \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning \
  dotnet SendCraft.Web/bin/Release/net10.0/SendCraft.Web.dll --contentRoot "$root/SendCraft.Web" --urls "http://127.0.0.1:$port" \
  >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/app.log"; exit 1; }

# A workspace, a sending domain, an SMTP account sending as news@bench.test, and a key without a practical rate limit.
secret="sc_live_$(python3 -c 'import secrets, string; print("".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32)))')"
hash=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
sql "$db" <<SQL
INSERT INTO Workspaces (Name, CreatedAt, RequireTwoFactor) VALUES ('Bench', UTC_TIMESTAMP(), 0);
SET @ws = LAST_INSERT_ID();
INSERT INTO SendingDomains (WorkspaceId, Name, IsActive, DkimSelector, DkimPrivateKeyProtected, DkimPublicKey, CreatedAt)
  VALUES (@ws, 'bench.test', 1, 'sc1', 'unused: workers are off', '', UTC_TIMESTAMP());
INSERT INTO SmtpAccounts (WorkspaceId, DomainId, FromEmail, FromName, Host, Port, Security, AcceptInvalidCertificate, MaxConnections,
  MessagesPerSecond, DailyLimit, IsActive, CreatedAt)
  VALUES (@ws, LAST_INSERT_ID(), 'news@bench.test', 'Bench', '127.0.0.1', 25, 'None', 0, 4, 1000, 0, 1, UTC_TIMESTAMP());
INSERT INTO ApiKeys (WorkspaceId, Name, Prefix, SecretHash, Scopes, IsSandbox, RateLimitPerSecond, CreatedAt)
  VALUES (@ws, 'bench', '${secret:0:16}', '$hash', 255, 0, 1000000, UTC_TIMESTAMP());
SQL
export SENDCRAFT_BENCH_KEY="$secret" SENDCRAFT_BENCH_FROM="news@bench.test" SENDCRAFT_BENCH_BATCH="$batch"
url="http://127.0.0.1:$port"
rows() { sql -N -B "$db" -e "SELECT COUNT(*) FROM OutboundMessages"; }

# CPU seconds used so far by a process (user + system, from /proc), to report CPU per request: on a shared machine the
# throughput depends on what else runs, the CPU each request costs the app and the database much less so.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat"; }
mariadb_pid=$(pgrep -o -f "mariadbd.*--port=$(field Port)" || true)
# phase NAME CMD...: runs a wrk phase and records the app's and MariaDB's CPU seconds spent during it.
phase() {
  local name=$1; shift
  local app0 db0; app0=$(cpu "$app_pid"); db0=$([ -n "$mariadb_pid" ] && cpu "$mariadb_pid" || echo 0)
  "$@" | tee "$work/$name.txt"
  echo "$(awk -v a="$app0" -v b="$(cpu "$app_pid")" 'BEGIN {print b - a}') $([ -n "$mariadb_pid" ] && awk -v a="$db0" -v b="$(cpu "$mariadb_pid")" 'BEGIN {print b - a}' || echo NA)" >"$work/$name.cpu"
}
# CPU milliseconds per unit (request or message) of a phase: "app ms + MariaDB ms".
cpu_per() { awk -v n="$2" '{ if (n > 0) printf "%.2f + %s", $1 * 1000 / n, ($2 == "NA" ? "?" : sprintf("%.2f", $2 * 1000 / n)); else print "-" }' "$work/$1.cpu"; }

# Warm-up (JIT, connection pool, caches), not counted.
wrk -t2 -c16 -d3s -s bench/api-send.lua "$url" >/dev/null
before=$(rows)
phase send wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/api-send.lua "$url"
after=$(rows)
phase batch wrk -t2 -c16 -d"${seconds}s" --latency -s bench/api-batch.lua "$url"
after_batch=$(rows)
phase health wrk -t2 -c"$connections" -d10s --latency "$url/healthz"
phase get wrk -t2 -c"$connections" -d10s --latency -s bench/api-get.lua "$url"

# wrk's summary → requests/s, p50, p99, non-2xx count.
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
errors() { awk '/Non-2xx or 3xx responses/ {n=$5} END {print n+0}' "$1"; }
count() { awk '/requests in/ {print $1}' "$1"; }
send_rps=$(rps "$work/send.txt"); batch_rps=$(rps "$work/batch.txt")
queued=$((after - before)); batch_queued=$((after_batch - after))
send_rate=$(awk -v q="$queued" -v s="$seconds" 'BEGIN {printf "%.0f", q / s}')
batch_rate=$(awk -v q="$batch_queued" -v s="$seconds" 'BEGIN {printf "%.0f", q / s}')

result="$work/result.md"
{
  echo
  echo "## Transactional API on MariaDB (\`bench/run api\`), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM;" \
       ".NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}'), MariaDB $(mariadbd --version | awk '{print $3}');" \
       "load average at start $(cut -d' ' -f1-3 /proc/loadavg) (the Release build just before the run included). wrk, the app and" \
       "MariaDB share these cores; MariaDB flushes its log at every commit. CPU per request is the app's and MariaDB's CPU time" \
       "during the phase divided by its requests (or messages), which holds better than throughput when the machine is shared."
  echo
  echo "| load | requests/s | messages durably queued/s | p50 | p99 | non-2xx | CPU ms per message or request: app + MariaDB |"
  echo "|---|---|---|---|---|---|---|"
  echo "| POST /messages, 1 message, $connections connections, ${seconds} s | $send_rps | $send_rate ($queued rows, $(count "$work/send.txt") requests) | $(pct "$work/send.txt" 50%) | $(pct "$work/send.txt" 99%) | $(errors "$work/send.txt") | $(cpu_per send "$queued") |"
  echo "| POST /messages/batch, $batch messages, 16 connections, ${seconds} s | $batch_rps | $batch_rate ($batch_queued rows) | $(pct "$work/batch.txt" 50%) | $(pct "$work/batch.txt" 99%) | $(errors "$work/batch.txt") | $(cpu_per batch "$batch_queued") |"
  echo "| GET /healthz (no auth, one tiny query), $connections connections, 10 s | $(rps "$work/health.txt") | - | $(pct "$work/health.txt" 50%) | $(pct "$work/health.txt" 99%) | $(errors "$work/health.txt") | $(cpu_per health "$(count "$work/health.txt")") |"
  echo "| GET /messages/{id} (key auth, rate limit, one indexed read), $connections connections, 10 s | $(rps "$work/get.txt") | - | $(pct "$work/get.txt" 50%) | $(pct "$work/get.txt" 99%) | $(errors "$work/get.txt") | $(cpu_per get "$(count "$work/get.txt")") |"
  echo
} >"$result"
cat "$result"
if [ -z "${API_NO_WRITE:-}" ]; then cat "$result" >>docs/benchmarks.md; fi
