#!/usr/bin/env bash
# Compiles BPF C sources with clang:
#   build-bpf.sh [--vmlinux-h DIR --java JAVA --classpath CP] OUT_DIR SRC_DIR [INCLUDE_DIR...]
# Each SRC_DIR/NAME.bpf.c becomes OUT_DIR/NAME.bpf.o (little endian). A source with the line
# "// bpfkit: also-bpfeb" is built a second time as OUT_DIR/NAME.bpfeb.o (big endian).
# Only rebuilds objects older than their source or a header beside it.
#
# With --vmlinux-h, DIR is an include directory holding vmlinux.h, written by bpfkit itself
# (`bpfkit btf dump BTF --format c`, run with JAVA on CP; no bpftool) from the kernel's BTF,
# /sys/kernel/btf/vmlinux, or from the BTF file (raw BTF or an ELF with .BTF) named by
# $BPFKIT_VMLINUX_BTF. It is made only when a source includes "vmlinux.h", and rewritten only
# when its text changes (a new kernel, a new generator), so objects are not rebuilt for nothing.
# DIR/vmlinux.btf is a copy of the BTF it was made from: the objects carry that kernel's
# layouts, which a test run on another kernel (scripts/kernels) compares with.
set -euo pipefail
vmlinux_dir=""; java=""; classpath=""
while [ $# -gt 0 ]; do
  case "$1" in
    --vmlinux-h) vmlinux_dir=$2; shift 2 ;;
    --java) java=$2; shift 2 ;;
    --classpath) classpath=$2; shift 2 ;;
    *) break ;;
  esac
done
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

# vmlinux.h, when a source wants it.
vmlinux_h=""
if [ -n "$vmlinux_dir" ]; then
  sources=("$src"/*.bpf.c "$src"/*.h)
  users=""
  [ ${#sources[@]} -gt 0 ] && users=$(grep -l '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]vmlinux\.h[">]' "${sources[@]}" </dev/null || true)
  if [ -n "$users" ]; then
    btf=${BPFKIT_VMLINUX_BTF:-/sys/kernel/btf/vmlinux}
    first_user=$(basename "$(echo "$users" | head -1)")
    if [ ! -r "$btf" ]; then
      if [ -n "${BPFKIT_VMLINUX_BTF:-}" ]; then
        why="BPFKIT_VMLINUX_BTF names $btf, which cannot be read"
      else
        why="this kernel has no BTF: $btf does not exist (the kernel needs CONFIG_DEBUG_INFO_BTF=y)"
      fi
      echo "bpfkit: cannot make vmlinux.h, which $first_user (in $src) includes: $why." >&2
      echo "bpfkit: build on a kernel with BTF, or set BPFKIT_VMLINUX_BTF to a BTF file of the target kernel" >&2
      echo "bpfkit: (raw BTF, e.g. from BTFHub, or a vmlinux ELF with a .BTF section)." >&2
      exit 1
    fi
    [ -n "$java" ] && [ -n "$classpath" ] || { echo "bpfkit: build-bpf.sh --vmlinux-h needs --java and --classpath" >&2; exit 1; }
    mkdir -p "$vmlinux_dir"
    vmlinux_h=$vmlinux_dir/vmlinux.h
    tmp=$(mktemp "$vmlinux_dir/vmlinux.h.XXXXXX")
    if ! "$java" -cp "$classpath" io.bpfkit.btf.BtfCHeader "$btf" >"$tmp"; then
      rm -f "$tmp"
      echo "bpfkit: cannot make vmlinux.h from $btf (see the error above)" >&2
      exit 1
    fi
    if [ -f "$vmlinux_h" ] && cmp -s "$tmp" "$vmlinux_h"; then
      rm -f "$tmp"
    else
      chmod 644 "$tmp"
      mv "$tmp" "$vmlinux_h"
    fi
    if ! cmp -s "$btf" "$vmlinux_dir/vmlinux.btf" 2>/dev/null; then
      tmp=$(mktemp "$vmlinux_dir/vmlinux.btf.XXXXXX")
      cat "$btf" >"$tmp" && chmod 644 "$tmp" && mv "$tmp" "$vmlinux_dir/vmlinux.btf" \
        || { rm -f "$tmp"; echo "bpfkit: cannot copy $btf to $vmlinux_dir/vmlinux.btf" >&2; exit 1; }
    fi
  fi
  includes+=(-I"$vmlinux_dir")
fi

newest_header=$(ls -t "$src"/*.h "$@" $vmlinux_h 2>/dev/null | head -1 || true)
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
