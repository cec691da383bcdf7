# Sourced by scripts/test: a throwaway Redis (Debian's redis-server) on a free loopback port, for the SignalR
# backplane tests (Realtime:Redis). start_throwaway_redis WORKDIR → sets REDIS_PORT, REDIS_PID and REDIS_SERVER
# ("127.0.0.1:PORT"). Nothing is persisted (no RDB snapshots, no AOF). stop_throwaway_redis ends it.

start_throwaway_redis() {
  local workdir=$1
  mkdir -p "$workdir/redis"
  REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no \
    --dir "$workdir/redis" --logfile "$workdir/redis/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 1 60); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
    sleep 0.25
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG \
    || { echo "Redis did not start:"; cat "$workdir/redis/redis.log"; return 1; }
  REDIS_SERVER="127.0.0.1:$REDIS_PORT"
  echo "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on $REDIS_SERVER"
}

stop_throwaway_redis() {
  if [ -n "${REDIS_PID:-}" ]; then
    kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  fi
}
