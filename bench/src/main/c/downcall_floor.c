// The in-process C side of bpfkit's downcall floor (scripts/bench --floor, DowncallFloor.java):
// loops of system calls that the JVM calls once per N operations, so that the kernel's cost
// inside a JVM process can be told apart from the cost of crossing from Java to native code
// once per operation.
//
//   floor_getppid(n)                      n getppid system calls
//   floor_update(fd, n, start)            n bpf_map_update_elem(BPF_ANY) on a u32 -> u64 hash,
//                                         keys start, start + 1, ... modulo 1024
//   floor_lookup(fd, n, start)            n bpf_map_lookup_elem on the same keys, values summed
//
// Built by scripts/bench into bench/target/libdowncall_floor.so: gcc -O2 -shared -fPIC ... -lbpf.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

long floor_getppid(long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) {
        sum += syscall(SYS_getppid);
    }
    return sum;
}

long floor_update(int fd, long n, long start) {
    long failed = 0;
    for (long i = 0; i < n; i++) {
        __u32 key = (__u32) (start + i) & 1023;
        __u64 value = key;
        failed += bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0;
    }
    return failed;
}

long floor_lookup(int fd, long n, long start) {
    long sum = 0;
    for (long i = 0; i < n; i++) {
        __u32 key = (__u32) (start + i) & 1023;
        __u64 value;
        if (bpf_map_lookup_elem(fd, &key, &value) == 0) {
            sum += (long) value;
        }
    }
    return sum;
}
