# Recipes for everyday work; `just --list` shows them.

# Start the server (local PostgreSQL, demo data, GraphiQL)
run:
    cargo run

# Run every test
test:
    cargo test --workspace

# Check formatting and lints as CI does
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Regenerate schema.graphql from the code
schema:
    cargo run --quiet -- export-schema --output schema.graphql

# Measure registration throughput under contention, the job queue's
# throughput and delay, the leak guard's checks per second, the magazine's
# feed and the knowledge community at scale, and the analytics refresh and
# dashboards at 100,000 members and 10,000,000 facts (release builds; the
# last needs about 3 GB of disk and several minutes)
bench:
    cargo bench -p alumni-events --bench registration
    cargo bench -p alumni-core --bench jobs
    cargo bench -p alumni-trust --bench rules
    cargo bench -p alumni-content --bench feed
    cargo bench -p alumni-knowledge --bench community
    cargo bench -p alumni-analytics --bench dashboards

# Measure the directory and its searches at 100,000 and 1,000,000 members
# against PostGraphile 4 and pgbench (see docs/performance.md; needs node,
# pgbench, a local PostgreSQL and about 10 GB of disk)
bench-scale *sizes:
    tools/bench-scale/run.sh {{sizes}}

# Apply pending migrations
migrate:
    cargo run --quiet -- migrate

# Regenerate the diesel table definitions after adding a migration
# (needs diesel_cli and a local PostgreSQL; uses a scratch database).
# `diesel database reset` would also add diesel's own setup migration,
# which this project does not use.
db-schema:
    dropdb --if-exists -h 127.0.0.1 -U postgres alumni_schemagen
    createdb -h 127.0.0.1 -U postgres alumni_schemagen
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alumni_schemagen diesel migration run

# Everything CI runs
ci:
    .ci/run
