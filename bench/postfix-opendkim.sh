#!/usr/bin/env bash
# bench/postfix-opendkim.sh [--sink-port P] [--messages N] [--connections C] [--size BYTES] [--milter unix|inet]
# The "Postfix + OpenDKIM" row of `bench/run sending`: what an operator would assemble instead of SendCraft.
# smtp-source submits N messages over C connections to a throwaway Postfix (bench/lib/postfix-opendkim.sh), whose
# OpenDKIM milter signs each one (RSA-2048), and Postfix relays them over at most C connections to the smtp-sink on
# port P (SendingBenchmark.cs passes the one every row uses; without --sink-port this script starts its own).
# The time runs from the first submission until Postfix has logged every one of the N relayed as status=sent, i.e.
# accepted by smtp-sink: the relay's real rate, not only how fast it queues. Fails loudly (exit 1) if a message is
# not delivered in 10 minutes, if Postfix logged fewer DKIM signatures than messages, or if a relayed check message
# carries no DKIM-Signature that verifies. Needs root (Postfix's master starts as root and drops to postfix).
# Its last line is for SendingBenchmark.cs: "RESULT messages=N seconds=S rate=R submit_rate=R cpu_us_per_message=U".
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
. bench/lib/postfix-opendkim.sh

sink_port= messages=20000 connections=4 size=2500 milter=unix
while [ $# -gt 0 ]; do
  case $1 in
    --sink-port) sink_port=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --milter) milter=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

install_postfix_opendkim
workdir=$(mktemp -d /tmp/sendcraft-bench-postfix.XXXXXX)
own_sink_pid= source_pid=
cleanup() {
  if [ -n "$source_pid" ]; then kill "$source_pid" 2>/dev/null || true; fi
  stop_postfix_opendkim
  if [ -n "$own_sink_pid" ]; then kill "$own_sink_pid" 2>/dev/null && wait "$own_sink_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "$sink_port" ]; then
  sink_port=$(_pod_free_port)
  timeout 1800 /usr/sbin/smtp-sink -u nobody "127.0.0.1:$sink_port" 1024 &
  own_sink_pid=$!
  _pod_wait_port "$sink_port" smtp-sink
fi

start_postfix_opendkim "$workdir" "$sink_port" "$connections" "$milter"
# One message through the whole path first, to a sink that keeps it: signed, and the signature verifies.
verify_postfix_opendkim_signature

sent_before=$(postfix_sent_count)
signed_before=$(postfix_signed_count)
cpu_before=$(postfix_opendkim_cpu_ticks)
start=$(date +%s.%N)
# Same shape as the smtp-source row: -d reuses each connection; -N gives every message its own recipient, as
# SendCraft's rows have; the From domain is the one OpenDKIM signs for.
# In the background and waited for, so that a signal to this script runs its cleanup at once.
/usr/sbin/smtp-source -d -N -l "$size" -m "$messages" -s "$connections" -S "Your weekly digest" \
  -f "news@$BENCH_DKIM_DOMAIN" -t "sink@rcpt.test" "127.0.0.1:$POSTFIX_PORT" &
source_pid=$!
wait "$source_pid"
source_pid=
submitted=$(date +%s.%N)
deadline=$(( $(date +%s) + 600 ))
while [ $(( $(postfix_sent_count) - sent_before )) -lt "$messages" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "FAILED: Postfix delivered $(( $(postfix_sent_count) - sent_before )) of $messages messages in 10 minutes" >&2
    grep -E 'status=(deferred|bounced)|warning|fatal' "$POSTFIX_LOG" | tail -5 >&2 || true
    exit 1
  fi
  sleep 0.1
done
end=$(date +%s.%N)
cpu_after=$(postfix_opendkim_cpu_ticks)

signed=$(( $(postfix_signed_count) - signed_before ))
if [ "$signed" -ne "$messages" ]; then
  echo "FAILED: Postfix logged $signed DKIM signatures added by OpenDKIM for $messages messages" >&2
  exit 1
fi
not_sent=$(grep -c -E 'status=(deferred|bounced)' "$POSTFIX_LOG" || true)
[ "$not_sent" -eq 0 ] || { echo "FAILED: $not_sent deliveries deferred or bounced" >&2; exit 1; }

awk -v n="$messages" -v s="$start" -v q="$submitted" -v e="$end" -v cpu=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
  printf "Postfix + OpenDKIM: %d messages relayed and signed in %.2f s: %.0f msg/s end to end (submission alone %.0f msg/s), %.0f µs CPU per message (Postfix + OpenDKIM)\n", n, e - s, n / (e - s), n / (q - s), cpu / hz * 1e6 / n
  printf "RESULT messages=%d seconds=%.3f rate=%.1f submit_rate=%.1f cpu_us_per_message=%.0f\n", n, e - s, n / (e - s), n / (q - s), cpu / hz * 1e6 / n
}'
