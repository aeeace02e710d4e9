#!/usr/bin/env bash
# Compiles BPF C sources with clang: build-bpf.sh OUT_DIR SRC_DIR [INCLUDE_DIR...]
# Each SRC_DIR/NAME.bpf.c becomes OUT_DIR/NAME.bpf.o (little endian). A source with the line
# "// bpfkit: also-bpfeb" is built a second time as OUT_DIR/NAME.bpfeb.o (big endian).
# Only rebuilds objects older than their source or a header beside it.
set -euo pipefail
out=$1; src=$2; shift 2
clang=""
for c in clang-19 clang; do command -v "$c" >/dev/null 2>&1 && { clang=$c; break; }; done
[ -n "$clang" ] || { echo "bpfkit: clang is needed to build BPF C ($src); apt-get install clang-19" >&2; exit 1; }
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "bpfkit: libbpf headers missing; apt-get install libbpf-dev" >&2; exit 1; }
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
includes=(-I"$src" -I/usr/include/"$multiarch")
for i in "$@"; do includes+=(-I"$i"); done
mkdir -p "$out"
shopt -s nullglob
newest_header=$(ls -t "$src"/*.h "$@" 2>/dev/null | head -1 || true)
for c in "$src"/*.bpf.c; do
  name=$(basename "$c" .bpf.c)
  targets=("bpfel:$out/$name.bpf.o")
  grep -q '^// bpfkit: also-bpfeb' "$c" && targets+=("bpfeb:$out/$name.bpfeb.o")
  for t in "${targets[@]}"; do
    arch=${t%%:*}; obj=${t#*:}
    if [ -f "$obj" ] && [ "$obj" -nt "$c" ] && { [ -z "$newest_header" ] || [ "$obj" -nt "$newest_header" ]; }; then
      continue
    fi
    "$clang" -O2 -g -target "$arch" -Wall -Werror "${includes[@]}" -c "$c" -o "$obj"
  done
done
