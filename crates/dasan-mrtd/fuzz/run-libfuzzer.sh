#!/usr/bin/env bash
# Coverage-guided libFuzzer on the STABLE toolchain: the same instrumentation `cargo fuzz`
# uses with `-s none --debug-assertions` (SanitizerCoverage through -Cpasses/-Cllvm-args, which
# are stable flags), without AddressSanitizer (the crate forbids unsafe code). `cargo fuzz run
# TARGET` does the same on nightly.
#
#   ./run-libfuzzer.sh TARGET SECONDS [libFuzzer args...]
#   ./run-libfuzzer.sh all SECONDS          # every target in turn
#
# Corpus in corpus/TARGET (kept, gitignored), seeds written by the stable harness, crashes in
# artifacts/TARGET.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
target="${1:?target or all}"
seconds="${2:?seconds}"
shift 2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
seeds="$here/seeds"
[[ -d "$seeds" ]] || CARGO_TARGET_DIR="$CARGO_TARGET_DIR/harness" RUSTFLAGS= \
    cargo run --release --no-default-features --bin stable-harness -- --write-seeds "$seeds"
if [[ "$target" == all ]]; then
    targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v -e dasan-mrtd-fuzz -e stable-harness)
else
    targets="$target"
fi
# Only the libFuzzer targets: the stable harness does not link libFuzzer.
cargo build --release --target "$triple" $(printf -- '--bin %s ' $targets)
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    echo "== $t: ${seconds}s"
    "$CARGO_TARGET_DIR/$triple/release/$t" "corpus/$t" "$seeds/$t" \
        -max_total_time="$seconds" -max_len=65536 -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 "$@" >"artifacts/$t/log.txt" 2>&1 || status=1
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)|#[0-9]+.*DONE|panicked|ERROR|SUMMARY' \
        "artifacts/$t/log.txt" | tail -6 || true
    echo "   corpus: $(ls "corpus/$t" | wc -l) inputs"
done
exit "${status:-0}"
