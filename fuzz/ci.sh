#!/usr/bin/env bash
# A short, bounded fuzzing pass for CI (.ci/run): each target for FUZZ_SECONDS (default 15)
# from the committed seeds plus whatever fuzz/corpus/ holds, when the nightly toolchain and
# cargo-fuzz are present. Without them it says so and succeeds: a skip prints as a skip.
# A crash fails the step and leaves the input in fuzz/artifacts/<target>/.
# The long runs and what they found are in RELIABILITY.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-15}"
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzzing: skipped (no nightly toolchain)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzzing: skipped (cargo-fuzz not installed: cargo install cargo-fuzz)"
    exit 0
fi

# `--dev` (unoptimized, instrumented) builds in a fraction of a release build's time, which
# the generated model dominates; a short run needs coverage, not speed.
cargo +nightly fuzz build --dev
for target in sse_decoder decode_types headers multipart; do
    extra=()
    if [ "$target" = decode_types ]; then
        extra=(-dict=decode_types.dict)
    fi
    # Git keeps no empty folder: a target without committed seeds starts from nothing.
    mkdir -p "corpus/$target" "seeds/$target"
    log="$(mktemp)"
    if ! cargo +nightly fuzz run --dev "$target" "corpus/$target" "seeds/$target" -- \
        ${extra[@]+"${extra[@]}"} -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzzing: $target FAILED (the input is in fuzz/artifacts/$target/)"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    echo "fuzzing: $target: ${runs:-?} inputs in ${seconds} s (${rate:-?}/s), corpus $(ls "corpus/$target" | wc -l), no crash"
    rm -f "$log"
done
