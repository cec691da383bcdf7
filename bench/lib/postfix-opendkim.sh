# Sourced by bench/run and bench/postfix-opendkim.sh: a throwaway Postfix with the OpenDKIM milter, the setup an
# operator would assemble to DKIM-sign bulk mail without SendCraft. Nothing here touches the system's Postfix or
# OpenDKIM: every file lives in the temporary folder given to start_postfix_opendkim, but OpenDKIM's (in a folder of
# its own under /run, removed by stop_postfix_opendkim), and everything listens on 127.0.0.1 only.
#
#   install_postfix_opendkim          installs Debian's postfix, opendkim (and python3-dkim) when missing
#   start_postfix_opendkim DIR SINK C [unix|inet]
#                                     Postfix on 127.0.0.1:$POSTFIX_PORT relaying everything to 127.0.0.1:SINK with
#                                     at most C connections, each message signed (RSA-2048, d=bench.test, s=bench)
#                                     by the OpenDKIM milter, reached over a unix socket (the default, as Debian's
#                                     opendkim package sets it up) or over TCP on 127.0.0.1:$OPENDKIM_PORT. Mail to
#                                     @verify.test goes instead to a second smtp-sink that dumps it to $VERIFY_DUMP.
#   postfix_sent_count                deliveries Postfix logged as status=sent
#   postfix_signed_count              messages whose DKIM-Signature header Postfix logged (milter_header_checks)
#   postfix_opendkim_cpu_ticks        CPU used so far by OpenDKIM and by Postfix's master and all its processes
#   verify_postfix_opendkim_signature sends one message to the verifying sink and checks its DKIM signature
#   stop_postfix_opendkim             stops all of it (safe to call twice, or before start finished)

BENCH_DKIM_DOMAIN=bench.test
BENCH_DKIM_SELECTOR=bench
# The header fields SendCraft signs (SendCraft.Web/Sending/DkimKeys.cs), relaxed/relaxed like SendCraft.
BENCH_DKIM_SIGN_HEADERS="From,To,Cc,Subject,Date,Message-ID,MIME-Version,Content-Type,Reply-To,List-Unsubscribe,List-Unsubscribe-Post"

_pod_free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

_pod_wait_port() { # PORT WHAT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$2 did not start listening on 127.0.0.1:$1" >&2
  return 1
}

install_postfix_opendkim() {
  local need=()
  [ -x /usr/sbin/postfix ] && [ -x /usr/sbin/smtp-sink ] || need+=(postfix)
  [ -x /usr/sbin/opendkim ] || need+=(opendkim)
  # Debian's python3, the one python3-dkim installs into (not whichever python3 comes first on PATH).
  /usr/bin/python3 -c 'import dkim' 2>/dev/null || need+=(python3-dkim)
  [ ${#need[@]} -eq 0 ] && return 0
  echo "Installing: ${need[*]}"
  local sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  # A fresh postfix package gets no system configuration, so it never starts a system MTA of its own.
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
    "${need[@]}" >/dev/null
}

start_postfix_opendkim() {
  local dir=$1 sink_port=$2 connections=$3 milter_transport=${4:-unix}
  POD_DIR=$dir
  POSTFIX_CONFIG="$dir/postfix"
  POSTFIX_LOG="$dir/postfix.log"
  VERIFY_DUMP="$dir/verify-sink/dump"
  # OpenDKIM refuses a config or key file with a world-writable folder anywhere above it (even /tmp with its
  # sticky bit), so its few files live in a folder of their own under /run; the Postfix queue stays in DIR.
  OPENDKIM_DIR=$(mktemp -d /run/sendcraft-bench-opendkim.XXXXXX)
  local dkim=$OPENDKIM_DIR
  # The daemons run as postfix and opendkim: they must be able to walk into the folder.
  chmod 755 "$dir"
  mkdir -p "$POSTFIX_CONFIG" "$dir/queue" "$dir/data" "$dir/verify-sink"
  chown postfix "$dir/data"
  POSTFIX_PORT=$(_pod_free_port)
  VERIFY_SINK_PORT=$(_pod_free_port)

  # --- OpenDKIM: signing only, one RSA-2048 key, the benchmark's sender domain -----------------------------
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dkim/$BENCH_DKIM_SELECTOR.private" 2>/dev/null
  BENCH_DKIM_PUBLIC_KEY=$(openssl pkey -in "$dkim/$BENCH_DKIM_SELECTOR.private" -pubout -outform DER | base64 -w0)
  chown -R opendkim:opendkim "$dkim"
  chmod 600 "$dkim/$BENCH_DKIM_SELECTOR.private"
  # Postfix reaches a unix socket through this folder: it may pass through (group postfix), not list or write.
  chgrp postfix "$dkim"
  chmod 710 "$dkim"
  # Over TCP every message meets Nagle's algorithm and delayed ACKs: Postfix writes the milter's header and body
  # packets back to back without waiting for replies, and each message waits on about three 40 ms delayed ACKs
  # (three times fewer messages a second here; docs/benchmarks.md). Kept to show that; the unix socket is the default.
  local socket milter
  case $milter_transport in
    inet) OPENDKIM_PORT=$(_pod_free_port); socket="inet:$OPENDKIM_PORT@127.0.0.1"; milter="inet:127.0.0.1:$OPENDKIM_PORT" ;;
    unix) socket="local:$dkim/milter.sock"; milter="unix:$dkim/milter.sock" ;;
    *) echo "milter transport must be unix or inet, not $milter_transport" >&2; return 2 ;;
  esac
  cat >"$dkim/opendkim.conf" <<EOF
Mode                    s
Domain                  $BENCH_DKIM_DOMAIN
Selector                $BENCH_DKIM_SELECTOR
KeyFile                 $dkim/$BENCH_DKIM_SELECTOR.private
Canonicalization        relaxed/relaxed
SignatureAlgorithm      rsa-sha256
SignHeaders             $BENCH_DKIM_SIGN_HEADERS
InternalHosts           127.0.0.1
Socket                  $socket
UserID                  opendkim:opendkim
PidFile                 $dkim/opendkim.pid
Syslog                  no
AutoRestart             no
EOF
  chmod 600 "$dkim/opendkim.conf"
  # -f: stays in the foreground (our child, so we hold its pid); it still drops to the opendkim user itself.
  opendkim -f -x "$dkim/opendkim.conf" 2>"$dir/opendkim.err" &
  OPENDKIM_PID=$!
  if [ "$milter_transport" = inet ]; then
    _pod_wait_port "$OPENDKIM_PORT" OpenDKIM || { cat "$dir/opendkim.err" >&2; return 1; }
  else
    for _ in $(seq 1 100); do [ -S "$dkim/milter.sock" ] && break; sleep 0.1; done
    [ -S "$dkim/milter.sock" ] || { echo "OpenDKIM did not create $dkim/milter.sock" >&2; cat "$dir/opendkim.err" >&2; return 1; }
    # Created by OpenDKIM's user with its umask; Postfix's processes need to write to it, nobody else.
    chgrp postfix "$dkim/milter.sock"
    chmod 660 "$dkim/milter.sock"
  fi

  # --- The verifying sink: what Postfix relays for @verify.test is dumped here, to read the signature back --
  chown nobody "$dir/verify-sink"
  timeout 1800 /usr/sbin/smtp-sink -u nobody -D "$VERIFY_DUMP" "127.0.0.1:$VERIFY_SINK_PORT" 16 &
  VERIFY_SINK_PID=$!
  _pod_wait_port "$VERIFY_SINK_PORT" "the verifying smtp-sink"

  # --- Postfix: its own config, queue and data folders; the packaged master.cf without chroot, no port 25 --
  cp /etc/postfix/master.cf "$POSTFIX_CONFIG/master.cf"
  : >"$POSTFIX_CONFIG/main.cf"
  printf '/^DKIM-Signature:/ WARN signed\n' >"$POSTFIX_CONFIG/milter_header_checks"
  # Tuning: as many connections to the sink as SendCraft opens (default_destination_concurrency_limit), each kept
  # open and reused (connection caching for the relay; it is matched by host, without brackets or port; by
  # default Postfix caches only while a backlog lasts), and a process limit that fits 2 cores. No DNS anywhere.
  # Everything else is Postfix's default, in_flow_delay included (it slows submission down to the delivery rate).
  local pc=(postconf -c "$POSTFIX_CONFIG")
  "${pc[@]}" -e \
    "compatibility_level = 3.6" \
    "queue_directory = $dir/queue" \
    "data_directory = $dir/data" \
    "maillog_file = $POSTFIX_LOG" \
    "maillog_file_prefixes = $dir" \
    "myhostname = postfix-opendkim.bench.test" \
    "inet_interfaces = 127.0.0.1" \
    "inet_protocols = ipv4" \
    "mynetworks = 127.0.0.0/8" \
    "smtpd_relay_restrictions = permit_mynetworks, reject" \
    "mydestination =" \
    "local_recipient_maps =" \
    "alias_maps =" \
    "alias_database =" \
    "local_transport = error:no local delivery in this benchmark" \
    "relayhost = [127.0.0.1]:$sink_port" \
    "transport_maps = inline:{verify.test=smtp:[127.0.0.1]:$VERIFY_SINK_PORT}" \
    "smtp_dns_support_level = disabled" \
    "smtp_host_lookup = native" \
    "smtpd_peername_lookup = no" \
    "smtpd_milters = $milter" \
    "non_smtpd_milters = $milter" \
    "milter_default_action = tempfail" \
    "milter_header_checks = regexp:$POSTFIX_CONFIG/milter_header_checks" \
    "default_process_limit = 20" \
    "default_destination_concurrency_limit = $connections" \
    "smtp_connection_cache_destinations = 127.0.0.1" \
    "biff = no"
  "${pc[@]}" -MX smtp/inet
  "${pc[@]}" -M "$POSTFIX_PORT/inet = $POSTFIX_PORT inet n - n - - smtpd"
  "${pc[@]}" -F '*/*/chroot = n'
  POSTFIX_STARTED=1  # before the attempt: a start that fails half way may still have left a master running
  postfix -c "$POSTFIX_CONFIG" start >"$dir/postfix-start.log" 2>&1 || { cat "$dir/postfix-start.log" >&2; return 1; }
  _pod_wait_port "$POSTFIX_PORT" Postfix || { cat "$dir/postfix-start.log" "$POSTFIX_LOG" >&2; return 1; }
  echo "Postfix $("${pc[@]}" -h mail_version) on 127.0.0.1:$POSTFIX_PORT, OpenDKIM $(opendkim -V | awk 'NR==1{print $NF}') on $milter, relaying to 127.0.0.1:$sink_port"
}

# Counted from Postfix's log (maillog_file): fixed strings, cheap enough to poll while the queue drains.
postfix_sent_count() { grep -c -F 'status=sent' "$POSTFIX_LOG" || true; }

postfix_signed_count() { grep -c -F 'milter-header-warning: header DKIM-Signature:' "$POSTFIX_LOG" || true; }

postfix_opendkim_cpu_ticks() {
  # OpenDKIM's utime+stime (all its threads), each live Postfix process's, and the master's cutime+cstime (every
  # child it has reaped, e.g. a cleanup that exited after max_use): the difference of two readings is the CPU the
  # relay spent in between. In clock ticks (getconf CLK_TCK).
  local master total=0 pid fields
  master=$(tr -d ' ' <"$POD_DIR/queue/pid/master.pid")
  for pid in "$OPENDKIM_PID" "$master" $(pgrep -P "$master"); do
    # /proc/PID/stat past "PID (command) ": utime stime cutime cstime are then the 12th to 15th fields.
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    set -- $fields
    total=$((total + ${12} + ${13}))
    [ "$pid" = "$master" ] && total=$((total + ${14} + ${15}))
  done
  echo "$total"
}

verify_postfix_opendkim_signature() {
  /usr/sbin/smtp-source -l 300 -m 1 -s 1 -S "DKIM check" -f "news@$BENCH_DKIM_DOMAIN" -t check@verify.test \
    "127.0.0.1:$POSTFIX_PORT"
  for _ in $(seq 1 100); do
    grep -q 'to=<check@verify.test>.*status=sent' "$POSTFIX_LOG" && break
    sleep 0.1
  done
  grep -q 'to=<check@verify.test>.*status=sent' "$POSTFIX_LOG" ||
    { echo "FAILED: Postfix did not relay the check message" >&2; tail -20 "$POSTFIX_LOG" >&2; return 1; }
  grep -q '^DKIM-Signature:' "$VERIFY_DUMP" ||
    { echo "FAILED: the message relayed through Postfix + OpenDKIM carries no DKIM-Signature header" >&2; cat "$VERIFY_DUMP" >&2; return 1; }
  # The signature must verify against the key's public half, not only be present.
  /usr/bin/python3 - "$VERIFY_DUMP" "$BENCH_DKIM_PUBLIC_KEY" <<'EOF' || { echo "FAILED: the DKIM signature Postfix + OpenDKIM added does not verify" >&2; return 1; }
import sys, dkim
dump, public_key = sys.argv[1], sys.argv[2]
raw = open(dump, 'rb').read()
# smtp-sink's dump starts with X-Client-Addr and similar lines (unsigned, so harmless) and has bare LF line ends.
message = raw.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
record = b'v=DKIM1; k=rsa; p=' + public_key.encode()
ok = dkim.verify(message, dnsfunc=lambda name, timeout=5: record)
header = [l for l in raw.decode().split('\n') if l.startswith('DKIM-Signature:')][0]
print(('verified: ' if ok else 'NOT verified: ') + header[:100] + '...')
sys.exit(0 if ok else 1)
EOF
}

stop_postfix_opendkim() {
  if [ -n "${POSTFIX_STARTED:-}" ]; then
    postfix -c "$POSTFIX_CONFIG" stop >/dev/null 2>&1 || true
    # Wait for the master to be gone before the queue folder is removed under it.
    local pidfile="$POD_DIR/queue/pid/master.pid"
    for _ in $(seq 1 50); do
      [ -f "$pidfile" ] && kill -0 "$(tr -d ' ' <"$pidfile")" 2>/dev/null || break
      sleep 0.1
    done
    POSTFIX_STARTED=
  fi
  for pid in ${OPENDKIM_PID:-} ${VERIFY_SINK_PID:-}; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  OPENDKIM_PID= VERIFY_SINK_PID=
  [ -n "${OPENDKIM_DIR:-}" ] && rm -rf "$OPENDKIM_DIR"
  OPENDKIM_DIR=
}
