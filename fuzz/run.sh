#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/CMakeLists.txt, clang 14), replays every input kept in fuzz/regressions/,
# then runs each target for a bounded time, two at a time (the machine has 2 cores). Exits non-zero on any
# finding, after printing its log's end.
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 60 seconds each, every target; `make fuzz`)
#   FUZZ_OUT=DIR                          build and output folder (default: build-fuzz in the checkout)
#   FUZZ_JOBS=N                           targets run at once (default 2, at most 2)
# The corpus each target grows stays in DIR/corpus/NAME, so later runs start where earlier ones got to;
# a finding is written to DIR/artifacts/NAME/crash-* (replay: DIR/NAME_fuzz FILE). docs/fuzzing.md has more.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
out="${FUZZ_OUT:-$root/build-fuzz}"
jobs="${FUZZ_JOBS:-2}"
((jobs > 2)) && jobs=2

mkdir -p "$out"
if ! { cmake -S "$root/fuzz" -B "$out" -G Ninja -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++-14}" &&
    cmake --build "$out" -j 2; } >"$out/build.log" 2>&1; then
    tail -n 50 "$out/build.log" >&2
    echo "fuzz/run.sh: the fuzz build failed (log: $out/build.log)" >&2
    exit 1
fi
rm -rf "$out/seeds" && mkdir -p "$out/seeds"
"$out/make_seeds" "$out/seeds"

targets=("$@")
((${#targets[@]})) || mapfile -t targets <"$out/targets.txt"

# Every input that once broke a target, replayed as it is: each must now pass.
for target in "${targets[@]}"; do
    dir="$root/fuzz/regressions/$target"
    [[ -d $dir ]] || continue
    mapfile -t inputs < <(find "$dir" -type f | sort)
    ((${#inputs[@]})) || continue
    if ! "$out/${target}_fuzz" "${inputs[@]}" >"$out/replay-$target.log" 2>&1; then
        tail -n 40 "$out/replay-$target.log" >&2
        echo "fuzz/run.sh: a regression input of $target fails again (log: $out/replay-$target.log)" >&2
        exit 1
    fi
    echo "fuzz/run.sh: $target: ${#inputs[@]} regression inputs pass"
done

run_one() {
    local target="$1"
    local corpus="$out/corpus/$target" artifacts="$out/artifacts/$target/" log="$out/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$out/logs"
    local seeds=()
    [[ -d $out/seeds/$target ]] && seeds+=("$out/seeds/$target")
    [[ -d $root/fuzz/corpus/$target ]] && seeds+=("$root/fuzz/corpus/$target")
    local status=0
    "$out/${target}_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    if ((status != 0)); then
        tail -n 60 "$log" >&2
        echo "fuzz/run.sh: $target found a problem (exit $status); input in $artifacts, log in $log" >&2
        return "$status"
    fi
    # The figures for the note: executions, coverage (cov: edges, ft: features), corpus size.
    local execs last
    execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1)
    printf '%-18s %10s execs  cov %-6s ft %-6s corpus %s files\n' "$target" "$execs" \
        "$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")" "$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")" \
        "$(find "$corpus" -type f | wc -l)"
}

failed=0
running=0
for target in "${targets[@]}"; do
    if ((running >= jobs)); then
        wait -n || failed=1
        running=$((running - 1))
    fi
    run_one "$target" &
    running=$((running + 1))
done
while ((running > 0)); do
    wait -n || failed=1
    running=$((running - 1))
done
((failed == 0)) || exit 1
echo "fuzz/run.sh: no findings in ${seconds}s per target (${#targets[@]} targets)"
