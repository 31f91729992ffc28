#!/usr/bin/env bash
# Build cost of a minimal application that makes one chat call, with this SDK (several feature
# sets) and with the peers, on this machine: a clean build in a fresh target directory per
# pass, passes alternating between the applications, dependencies fetched before timing.
# Prints wall time, the peak memory of the compiler (the largest RSS of any process cargo
# waited for, from GNU time) and the stripped binary size.
#
#   benches-build/run.sh                 # release builds of every application, two passes
#   PASSES=1 KINDS="release debug check" APPS="ours-default ours-full" benches-build/run.sh
#   BASE_REPO=/path/to/older/checkout APPS="ours-base ours-default" benches-build/run.sh
#
# Needs the network for the peers' crates (crates.io) and GNU time (/usr/bin/time).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
PASSES="${PASSES:-2}"
KINDS="${KINDS:-release}"
APPS="${APPS:-ours-default ours-full ours-chat openrouter-rs async-openai floor}"
scratch="${SCRATCH:-$(mktemp -d /tmp/build-cost.XXXXXX)}"
mkdir -p "$scratch"
results="$scratch/results.tsv"
: >"$results"
unset CARGO_TARGET_DIR RUSTFLAGS CARGO_INCREMENTAL

# The application directory for a name: ours-<set> is apps/ours with that feature set.
prepare() {
    local name=$1 dir="$scratch/$1"
    rm -rf "$dir"
    case "$name" in
        ours-*)
            cp -r "$here/apps/ours" "$dir"
            local features
            local path="$repo"
            case "${name#ours-}" in
                default) features="" ;;
                # Another checkout's default features (BASE_REPO), for a before/after.
                base) features=""; path="${BASE_REPO:?set BASE_REPO to a checkout to compare}" ;;
                full) features=', features = ["full"]' ;;
                chat) features=', default-features = false, features = ["hyper", "chat"]' ;;
                # The defaults plus the optional extras: structured output, the tool loop.
                extras) features=', features = ["schemars", "tool-loop"]' ;;
                # The defaults without tracing.
                notracing) features=', default-features = false, features = ["hyper", "inference"]' ;;
                *) echo "unknown feature set ${name#ours-}" >&2; exit 2 ;;
            esac
            sed -i "s|OURS_PATH|$path/crates/openrouter|; s|FEATURES|$features|" "$dir/Cargo.toml"
            # The checkout's lockfile: the versions CI tests.
            cp "$path/Cargo.lock" "$dir/Cargo.lock"
            ;;
        *) cp -r "$here/apps/$name" "$dir" ;;
    esac
    (cd "$dir" && cargo fetch -q)
}

for app in $APPS; do prepare "$app"; done
printf 'app\tkind\tpass\tseconds\tpeak_rss_mb\tbinary_kb\n' | tee -a "$results"
for pass in $(seq 1 "$PASSES"); do
    order=$APPS
    # Alternate the order between passes, so that no application always builds first.
    if [ $((pass % 2)) -eq 0 ]; then order=$(echo "$APPS" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    for app in $order; do
        for kind in $KINDS; do
            dir="$scratch/$app"
            rm -rf "$dir/target"
            case "$kind" in
                release) cmd=(cargo build -q --release) ;;
                debug) cmd=(cargo build -q) ;;
                check) cmd=(cargo check -q) ;;
            esac
            start=$(date +%s.%N)
            /usr/bin/time -f '%M' -o "$scratch/rss" "${cmd[@]}" --manifest-path "$dir/Cargo.toml" --offline
            end=$(date +%s.%N)
            rss_mb=$(( $(cat "$scratch/rss") / 1024 ))
            bin_kb=-
            if [ "$kind" != check ]; then
                profile=$([ "$kind" = release ] && echo release || echo debug)
                bin=$(find "$dir/target/$profile" -maxdepth 1 -type f -name 'build-cost-*' ! -name '*.d' | head -n 1)
                strip -o "$scratch/stripped" "$bin"
                bin_kb=$(( $(stat -c %s "$scratch/stripped") / 1024 ))
            fi
            printf '%s\t%s\t%s\t%.1f\t%s\t%s\n' "$app" "$kind" "$pass" "$(echo "$end - $start" | bc)" "$rss_mb" "$bin_kb" | tee -a "$results"
        done
    done
done
echo "results: $results"
