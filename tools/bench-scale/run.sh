#!/usr/bin/env bash
# The scale benchmark (`just bench-scale`; docs/performance.md explains it
# and reports what it measured). For each size (members; default 100,000
# then 1,000,000) it grows the synthetic network in its own database to
# that size, then measures the directory page and the fixed list of
# searches against the server (release build), PostGraphile 4 on the same
# database, and pgbench replaying the server's own statements.
#
#   tools/bench-scale/run.sh [SIZE ...]
#
# Environment: BENCH_DATABASE [alumni_scale], PGHOST [127.0.0.1], PGPORT
# [5432], PGUSER [postgres], PG_LOG (the PostgreSQL server log, read to
# capture statements) and the load generator's BENCH_* settings (see
# crates/gateway/benches/scale.rs). Results go to target/bench-scale/.
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
database=${BENCH_DATABASE:-alumni_scale}
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$database"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
out="$root/target/bench-scale"
alumni="$root/target/release/alumni"
alumni_port=8091
capture_port=8092
postgraphile_port=5050
mkdir -p "$out"

cargo build --release --bin alumni
cargo bench -p alumni-gateway --bench scale --no-run
(cd tools/bench-scale && npm ci --no-audit --no-fund --silent)
createdb "$database" 2>/dev/null || true

pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; psql -q -d "$database" -c "ALTER DATABASE $database RESET log_min_duration_statement" 2>/dev/null || true' EXIT

wait_for() { # url
    for _ in $(seq 1 120); do
        if curl -s -o /dev/null -X POST -H 'content-type: application/json' \
            -d '{"query":"{ __typename }"}' "$1"; then return 0; fi
        sleep 1
    done
    echo "no answer from $1" >&2
    return 1
}

start_alumni() { # port
    ALUMNI_LOG=warn ALUMNI_BIND="127.0.0.1:$1" "$alumni" serve >"$out/alumni-$1.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$1/graphql"
}

for size in "${sizes[@]}"; do
    dir="$out/$size"
    mkdir -p "$dir"
    echo "== $size members"
    # The final ANALYZE of a million members outlasts the server's default
    # statement timeout on a busy machine; VACUUM ANALYZE follows anyway.
    started=$(date +%s)
    ALUMNI_DB_STATEMENT_TIMEOUT_MS=0 ALUMNI_LOG=warn "$alumni" seed --synthetic "$size"
    echo "seeded in $(( $(date +%s) - started )) s"
    psql -q -d "$database" -c "VACUUM ANALYZE"
    psql -d "$database" -Atc "SELECT 'database ' || pg_size_pretty(pg_database_size(current_database()))"

    # Capture the statements of one request per operation: statement
    # logging is on for this database only, and only for a server started
    # meanwhile (its connections read the setting when they open).
    psql -q -d "$database" -c "ALTER DATABASE $database SET log_min_duration_statement = 0"
    start_alumni "$capture_port"
    ALUMNI_URL="http://127.0.0.1:$capture_port/graphql" \
        cargo bench -q -p alumni-gateway --bench scale -- capture "$dir/statements"
    stop_all
    psql -q -d "$database" -c "ALTER DATABASE $database RESET log_min_duration_statement"

    start_alumni "$alumni_port"
    (cd tools/bench-scale && exec ./node_modules/.bin/postgraphile -c "$DATABASE_URL" \
        --schema membership --host 127.0.0.1 --port "$postgraphile_port" \
        --disable-default-mutations --append-plugins postgraphile-plugin-connection-filter \
        --disable-query-log --max-pool-size 16) >"$out/postgraphile.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$postgraphile_port/graphql"
    echo "idle memory (RSS): alumni $(ps -o rss= -p "${pids[0]}") kB, PostGraphile $(ps -o rss= -p "${pids[1]}") kB"
    ALUMNI_URL="http://127.0.0.1:$alumni_port/graphql" \
        POSTGRAPHILE_URL="http://127.0.0.1:$postgraphile_port/graphql" \
        cargo bench -q -p alumni-gateway --bench scale -- measure "$size members" "$dir/statements" \
        | tee "$dir/results.md"
    echo "memory after (RSS): alumni $(ps -o rss= -p "${pids[0]}") kB, PostGraphile $(ps -o rss= -p "${pids[1]}") kB"
    echo "peak memory (VmHWM): alumni $(awk '/VmHWM/ {print $2}' "/proc/${pids[0]}/status") kB, PostGraphile $(awk '/VmHWM/ {print $2}' "/proc/${pids[1]}/status") kB"
    stop_all
done
echo "results in $out; drop the database with: dropdb $database"
