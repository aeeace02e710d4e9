# Sourced by ./mvnw, ./bpfkit, ./run-tests and .ci/run: finds a JDK >= 25 and, when asked,
# installs and mounts what the build and the kernel tests need. Functions only; no side
# effects on source.

BPFKIT_ROOT="${BPFKIT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BPFKIT_MIN_JAVA=25

bpfkit_die() { echo "bpfkit: $*" >&2; exit 1; }

# Sets REPLY to the feature version (17, 21, 25, ...) of the java at $1, or to "". A JDK's
# `release` file says it without starting a JVM (that costs every ./bpfkit command ~40 ms
# per candidate); asking the JVM is the fallback for an install without one. Bash alone, no
# fork: this runs for every candidate before every command.
bpfkit_java_version_reply() {
  local v="" line release="${1%/java}/../release"
  if [ -f "$release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=\"[0-9]*) v=${line#JAVA_VERSION=\"}; v=${v%%[!0-9.]*}; break ;;
      esac
    done <"$release"
  fi
  [ -n "$v" ] || v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  REPLY=${v%%.*}
}

# Prints the feature version of the java at $1, or nothing.
bpfkit_java_version() {
  local REPLY
  bpfkit_java_version_reply "$1"
  printf '%s' "$REPLY"
}

# Whether $1 is a JDK (java and javac) of version >= BPFKIT_MIN_JAVA; its version in REPLY.
bpfkit_jdk_ok() {
  REPLY=
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  bpfkit_java_version_reply "$1/bin/java"
  [ -n "$REPLY" ] && [ "$REPLY" -ge "$BPFKIT_MIN_JAVA" ]
}

# Exports JAVA_HOME for a JDK >= 25: $JAVA_HOME first, then java on PATH, then the newest
# JDK of the usual install folders (highest version; of equal ones, the last by name). Each
# candidate is looked at only when the ones before it failed, and without a fork but for
# resolving java on PATH: every ./bpfkit command runs this.
bpfkit_select_jdk() {
  local c best="" best_v=0 REPLY had_nullglob=0
  if [ -n "${JAVA_HOME:-}" ] && bpfkit_jdk_ok "$JAVA_HOME"; then
    export JAVA_HOME
    return 0
  fi
  if hash java 2>/dev/null && [ -n "${BASH_CMDS[java]:-}" ]; then
    c=$(readlink -f "${BASH_CMDS[java]}")
    if bpfkit_jdk_ok "${c%/bin/java}"; then
      export JAVA_HOME="${c%/bin/java}"
      return 0
    fi
  fi
  shopt -q nullglob && had_nullglob=1
  shopt -s nullglob
  for c in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/jdk* \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    if bpfkit_jdk_ok "$c" && [ "$REPLY" -ge "$best_v" ]; then
      best=$c best_v=$REPLY
    fi
  done
  [ "$had_nullglob" = 1 ] || shopt -u nullglob
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"
    return 0
  fi
  bpfkit_die "needs a JDK $BPFKIT_MIN_JAVA or newer (FFM); none found in JAVA_HOME, PATH or /usr/lib/jvm.
Install one (for example Debian's openjdk-25-jdk or Temurin 25) or point JAVA_HOME at it."
}

bpfkit_is_root() { [ "${EUID:-$(id -u)}" = 0 ]; }

# Prints -XX:+UseTransparentHugePages unless the kernel turned huge pages off: the JVM flag
# README "Performance" recommends (page walks after every system call cost less).
bpfkit_thp_flag() {
  local REPLY
  bpfkit_thp_flag_reply
  printf '%s' "$REPLY"
}

# The same in REPLY, with bash alone: ./bpfkit runs it before every command.
bpfkit_thp_flag_reply() {
  local enabled=""
  IFS= read -r enabled 2>/dev/null </sys/kernel/mm/transparent_hugepage/enabled || true
  case $enabled in *"[never]"*) REPLY= ;; *) REPLY=-XX:+UseTransparentHugePages ;; esac
}

# apt-get update, unless bpfkit did it in the last ten hours.
bpfkit_apt_update() {
  if [ ! -f /var/lib/apt/bpfkit-updated ] || [ -z "$(find /var/lib/apt/bpfkit-updated -mmin -600 2>/dev/null)" ]; then
    apt-get update -qq >/dev/null && touch /var/lib/apt/bpfkit-updated
  fi
}

bpfkit_apt_install() {
  if ! bpfkit_is_root; then
    bpfkit_die "missing $*; install it (apt-get install $*) or run as root to have it installed"
  fi
  bpfkit_apt_update
  echo "bpfkit: installing $* ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || bpfkit_die "apt-get install $* failed"
}

# clang for BPF C, the libbpf headers (bpf_helpers.h), and bpftool/libbpf for the
# differential tests and the C side of the benchmarks. With "tests", everything the test
# suite runs or reads besides the kernel (a required test run fails when one is missing):
# bpftool, gcc, readelf (binutils), the kernel's UAPI headers (linux/bpf.h), <sys/sdt.h>, and iproute2
# (tc, ip) for the tests that check what netlink attaches put on an interface.
bpfkit_ensure_toolchain() {
  local want=()
  command -v clang-19 >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || want+=(clang-19)
  [ -f /usr/include/bpf/bpf_helpers.h ] || want+=(libbpf-dev)
  if [ "${1:-}" = tests ]; then
    command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || want+=(bpftool)
    command -v gcc >/dev/null 2>&1 || want+=(gcc)
    command -v tc >/dev/null 2>&1 || [ -x /usr/sbin/tc ] || [ -x /sbin/tc ] || want+=(iproute2)
    command -v readelf >/dev/null 2>&1 || want+=(binutils)
    [ -f /usr/include/linux/bpf.h ] || want+=(linux-libc-dev)
    # <sys/sdt.h>, for the USDT probes of the test binary the USDT tests attach to
    compgen -G '/usr/include/*/sys/sdt.h' >/dev/null || [ -f /usr/include/sys/sdt.h ] || want+=(systemtap-sdt-dev)
  fi
  [ ${#want[@]} -eq 0 ] || bpfkit_apt_install "${want[@]}"
}

# tracefs and bpffs, for attaching and pinning, and securityfs, where the tests read whether
# the kernel is locked down; only when root and not mounted yet.
bpfkit_mount_fs() {
  bpfkit_is_root || return 0
  # One read of /proc/mounts in bash, not a grep per file system: ./bpfkit runs this before
  # every command.
  local mounts=""
  IFS= read -r -d '' mounts </proc/mounts || true
  if [ -d /sys/kernel/security ] && [[ $mounts != *" /sys/kernel/security securityfs "* ]]; then
    mount -t securityfs securityfs /sys/kernel/security 2>/dev/null \
      || echo "bpfkit: could not mount securityfs on /sys/kernel/security" >&2
  fi
  if [ ! -d /sys/kernel/tracing/events ] && [ -d /sys/kernel/tracing ]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null \
      || echo "bpfkit: could not mount tracefs on /sys/kernel/tracing" >&2
  fi
  if [ -d /sys/fs/bpf ] && [[ $mounts != *" /sys/fs/bpf bpf "* ]]; then
    mount -t bpf bpf /sys/fs/bpf 2>/dev/null \
      || echo "bpfkit: could not mount bpffs on /sys/fs/bpf" >&2
  fi
}

# Headless Chromium (Debian's chromium, ~290 MB installed), for the flame graph test that renders
# our SVGs and checks their colours and search highlighting; only when missing. Not part of
# bpfkit_ensure_toolchain: the guests of scripts/kernels never run that test. Not root, it only
# says so: the test then skips, or fails where kernel tests are required (CI).
bpfkit_ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if ! bpfkit_is_root; then
    echo "bpfkit: no chromium (apt-get install chromium); the flame graph rendering test will not run" >&2
    return 0
  fi
  bpfkit_apt_install chromium
}
