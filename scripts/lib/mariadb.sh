# Sourced by scripts/test and bench/run: a throwaway MariaDB on a free loopback port.
# start_throwaway_mariadb WORKDIR  → sets MARIADB_PORT and MARIADB_PID, and MARIADB_SERVER (a server-level
# connection string for the user 'sendcraft'). stop_throwaway_mariadb ends it. Needs Debian's mariadb-server.
# MARIADB_FLUSH_AT_COMMIT=1 flushes the redo log at every commit (the production default; benchmarks of durable writes);
# tests keep 2 (written at commit, flushed each second): a throwaway server has nothing to lose in an OS crash.
# MARIADB_BUFFER_POOL (default 256M) and MARIADB_LOG_FILE_SIZE (default 96M) size a server for bulk work (bench/run dashboard).

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_throwaway_mariadb() {
  local workdir=$1
  # Everything the server writes lives in one folder owned by the mysql user (it cannot write elsewhere).
  local mdb="$workdir/mariadb"
  chmod 755 "$workdir"
  mkdir -p "$mdb/data"
  chown -R mysql:mysql "$mdb" 2>/dev/null || true
  MARIADB_PORT=$(free_port)
  # Its temporary files go in its own folder too: TMPDIR may name a folder the mysql user cannot write (bench/run sets one).
  TMPDIR="$mdb" mariadb-install-db --user=mysql --datadir="$mdb/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$workdir/mariadb-install.log" 2>&1 || { cat "$workdir/mariadb-install.log"; return 1; }
  mariadbd --no-defaults --user=mysql --datadir="$mdb/data" --tmpdir="$mdb" --socket="$mdb/mysqld.sock" --port="$MARIADB_PORT" \
    --bind-address=127.0.0.1 --skip-name-resolve --innodb-buffer-pool-size="${MARIADB_BUFFER_POOL:-256M}" --innodb-log-file-size="${MARIADB_LOG_FILE_SIZE:-96M}" --max-connections=500 \
    --innodb-flush-log-at-trx-commit="${MARIADB_FLUSH_AT_COMMIT:-2}" --pid-file="$mdb/mysqld.pid" --log-error="$mdb/error.log" &
  MARIADB_PID=$!
  for _ in $(seq 1 120); do
    mariadb-admin --socket="$mdb/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --socket="$mdb/mysqld.sock" -uroot -e \
    "CREATE USER IF NOT EXISTS 'sendcraft'@'127.0.0.1' IDENTIFIED BY 'sendcraft-test'; GRANT ALL ON *.* TO 'sendcraft'@'127.0.0.1'; FLUSH PRIVILEGES;" \
    || { echo "MariaDB did not start:"; cat "$mdb/error.log"; return 1; }
  MARIADB_SERVER="Server=127.0.0.1;Port=$MARIADB_PORT;User ID=sendcraft;Password=sendcraft-test;Maximum Pool Size=50"
  echo "MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$MARIADB_PORT"
}

stop_throwaway_mariadb() {
  if [ -n "${MARIADB_PID:-}" ]; then
    kill "$MARIADB_PID" 2>/dev/null && wait "$MARIADB_PID" 2>/dev/null || true
  fi
}
