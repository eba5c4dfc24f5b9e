#!/usr/bin/env bash
# Builds the codec fuzz target with clang 14 (libFuzzer + ASan + UBSan) and its seed corpus.
# The main build uses GCC, which has no libFuzzer, hence this separate script.
#   fuzz/build.sh [OUT_DIR]        (default: build-fuzz at the repository root)
# Leaves OUT_DIR/codec_fuzz and OUT_DIR/seeds/. Run it with fuzz/run.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/build-fuzz}"
cxx="${CXX_FUZZ:-clang++-14}"
mkdir -p "$out/seeds"

# fuzz/compat supplies std::expected, which GCC 12's libstdc++ hides from clang 14.
flags=(-std=c++2b -g -O1 -fno-omit-frame-pointer -I "$root/fuzz/compat" -I "$root/src")
sources=("$root"/src/protocol/*.cpp)

"$cxx" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "$root/fuzz/codec_fuzz.cpp" "${sources[@]}" -lfmt -o "$out/codec_fuzz"
"$cxx" "${flags[@]}" "$root/fuzz/make_seeds.cpp" "${sources[@]}" -lfmt -o "$out/make_seeds"
"$out/make_seeds" "$out/seeds"
echo "fuzz/build.sh: built $out/codec_fuzz, $(ls "$out/seeds" | wc -l) seeds in $out/seeds"
