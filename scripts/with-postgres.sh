#!/usr/bin/env bash
# with-postgres.sh CMD ARGS… runs CMD with PATROL_TEST_POSTGRES_DSN pointing at a PostgreSQL
# server, for the tests that need one (internal/pgtest).
#
#   - PATROL_TEST_POSTGRES_DSN already set: CMD runs against that server (the DSN of a role that
#     may CREATE DATABASE; each test creates and drops its own database).
#   - else, when initdb is found (PATH, or the newest /usr/lib/postgresql/*/bin): a throwaway
#     cluster in a temp dir, owned by an unprivileged user (initdb refuses root), listening on
#     127.0.0.1 on a free port with its socket in the temp dir; stopped and removed when CMD
#     ends, fails or is interrupted. The script exits with CMD's status.
#   - else: one line says the PostgreSQL tests will skip, and CMD runs.
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 CMD [ARGS…]" >&2
	exit 2
fi

if [[ -n "${PATROL_TEST_POSTGRES_DSN:-}" ]]; then
	exec "$@"
fi

bindir=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
	bindir="$(dirname "$(command -v initdb)")"
else
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -V -r); do
		if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
			bindir="$d"
			break
		fi
	done
fi
if [[ -z "$bindir" ]]; then
	echo "with-postgres: no initdb found: PostgreSQL tests will skip (install PostgreSQL, or set PATROL_TEST_POSTGRES_DSN=postgres://user@host:port/postgres to use a server)" >&2
	exec "$@"
fi

# initdb and postgres refuse to run as root: run them as an unprivileged system user.
asuser=()
if [[ "$(id -u)" -eq 0 ]]; then
	runas="${PATROL_TEST_POSTGRES_USER:-nobody}"
	if command -v setpriv >/dev/null 2>&1; then
		asuser=(setpriv --reuid="$(id -u "$runas")" --regid="$(id -g "$runas")" --clear-groups --)
	elif command -v runuser >/dev/null 2>&1; then
		asuser=(runuser -u "$runas" --)
	else
		echo "with-postgres: running as root without setpriv or runuser: cannot start PostgreSQL as an unprivileged user" >&2
		exit 1
	fi
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/patrol-pg.XXXXXX")"
if [[ ${#asuser[@]} -gt 0 ]]; then
	chown "$runas" "$dir"
fi
chmod 700 "$dir"

started=0
child=""
cleanup() {
	if [[ -n "$child" ]]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	if [[ $started -eq 1 ]]; then
		"${asuser[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: bind port 0 and read what the kernel chose.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || true)"
if [[ -z "$port" ]]; then
	port=$((20000 + RANDOM % 20000))
fi

(cd "$dir" && "${asuser[@]}" "$bindir/initdb" --auth=trust -U patrol -E UTF8 --no-locale -D "$dir/data" >"$dir/initdb.log" 2>&1) || {
	cat "$dir/initdb.log" >&2
	echo "with-postgres: initdb failed" >&2
	exit 1
}
# fsync off: a throwaway cluster need not survive a power cut, and tests create many databases.
started=1
(cd "$dir" && "${asuser[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
	start >/dev/null) || {
	cat "$dir/postgres.log" >&2
	echo "with-postgres: pg_ctl start failed" >&2
	exit 1
}

export PATROL_TEST_POSTGRES_DSN="postgres://patrol@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: throwaway PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (PATROL_TEST_POSTGRES_DSN=$PATROL_TEST_POSTGRES_DSN)" >&2
# CMD runs in the background so that a signal to this script is handled at once (bash runs
# a trap only after the foreground command ends); cleanup stops CMD first.
"$@" &
child=$!
status=0
wait "$child" || status=$?
child=""
exit "$status"
