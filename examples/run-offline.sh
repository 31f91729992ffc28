#!/usr/bin/env bash
# Runs every example offline (OPENROUTER_API_KEY and OPENROUTER_MANAGEMENT_KEY unset): each must
# exit 0 within 30 s and say first that it runs offline. Builds them first. Used by .ci/run;
# run it by hand with `examples/run-offline.sh`. Files the examples write go to the temporary
# directory offline.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p openrouter-examples --examples --all-features
target_dir="${CARGO_TARGET_DIR:-target}"
names=$(sed -n 's/^name = "\([a-z_0-9]*\)"$/\1/p' examples/Cargo.toml | grep -v '^openrouter-examples$')
failed=()
count=0
started=$(date +%s)
for name in $names; do
    count=$((count + 1))
    out=$(env -u OPENROUTER_API_KEY -u OPENROUTER_MANAGEMENT_KEY \
        timeout 30 "$target_dir/debug/examples/$name" 2>&1) && rc=0 || rc=$?
    # No `printf | head` here: with pipefail, head closing the pipe early (SIGPIPE) on a long
    # output would fail the script.
    first=${out%%$'\n'*}
    lines=$(wc -l <<<"$out")
    if [ "$rc" -ne 0 ] || [[ "$first" != "Offline mode:"* ]] || [ "$lines" -lt 2 ]; then
        failed+=("$name")
        printf '== %s: exit %s, %s lines\n%s\n' "$name" "$rc" "$lines" "$out"
    else
        printf '%-20s ok, %s lines\n' "$name" "$lines"
    fi
done
echo "$count examples run offline in $(( $(date +%s) - started )) s; ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
