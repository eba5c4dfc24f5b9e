#!/usr/bin/env bash
# Builds the codec fuzz target and runs it for a bounded time; exits non-zero on any finding.
#   fuzz/run.sh [SECONDS] [OUT_DIR]     (defaults: 5 seconds, build-fuzz at the repository root)
# A short run is a smoke test for `make test`; a longer one (60 s and more) hunts. The corpus it grows
# stays in OUT_DIR/corpus, so later runs start from where earlier ones got to; crashes are written to
# OUT_DIR/crash-* with the input that caused them (replay: OUT_DIR/codec_fuzz FILE).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-5}"
out="${2:-$root/build-fuzz}"

"$root/fuzz/build.sh" "$out" >/dev/null
mkdir -p "$out/corpus"
"$out/codec_fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" "$out/seeds" 2>"$out/fuzz.log" || {
    status=$?
    tail -n 60 "$out/fuzz.log" >&2
    echo "fuzz/run.sh: codec_fuzz found a problem (exit $status); full log in $out/fuzz.log" >&2
    exit "$status"
}
grep -E '^stat::number_of_executed_units|^Done' "$out/fuzz.log" || true
echo "fuzz/run.sh: no findings in ${seconds}s"
