// The USDT tests' target: probes whose arguments sit in registers, on the stack and in
// constants, of every width, signed and unsigned, one probe with two sites and one behind a
// semaphore. Each round fires every probe once (the semaphore one only while it is traced);
// argv[1] is the number of rounds. Built by the tests with gcc and <sys/sdt.h>.
#define _SDT_HAS_SEMAPHORES 1
#include <stdlib.h>
#include <sys/sdt.h>

// With semaphores on, every probe of the file has one; only 'guarded' checks it.
#define SEMAPHORE(name) unsigned short bpfkit_##name##_semaphore __attribute__((unused, section(".probes")))
SEMAPHORE(registers);
SEMAPHORE(stack);
SEMAPHORE(constants);
SEMAPHORE(twice);
SEMAPHORE(guarded);

__attribute__((noinline)) static void in_registers(int round, signed char c, unsigned char uc, short s,
        unsigned short us, int i, unsigned int ui, long l, unsigned long ul) {
    STAP_PROBE9(bpfkit, registers, round, c, uc, s, us, i, ui, l, ul);
}

__attribute__((noinline, optimize("O0"))) static void on_stack(int round) {
    signed char c = (signed char)(-100 - round);
    unsigned char uc = (unsigned char)(200 + round);
    short s = (short)(-30000 + round);
    unsigned short us = (unsigned short)(60000 + round);
    int i = -2000000000 + round;
    unsigned int ui = 4000000000u + (unsigned)round;
    long l = -9000000000000000000L + round;
    unsigned long ul = 18000000000000000000UL + (unsigned long)round;
    STAP_PROBE8(bpfkit, stack, c, uc, s, us, i, ui, l, ul);
}

__attribute__((noinline)) static void constants(void) {
    STAP_PROBE4(bpfkit, constants, -5, 300, -1234567890123L, 77);
}

__attribute__((noinline)) static void two_sites(int round) {
    if (round % 2 == 0) {
        STAP_PROBE2(bpfkit, twice, round, 1);
    } else {
        STAP_PROBE2(bpfkit, twice, round, 2);
    }
}

__attribute__((noinline)) static void guarded(int round, long l) {
    if (bpfkit_guarded_semaphore) {
        STAP_PROBE2(bpfkit, guarded, round, l);
    }
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    for (int r = 1; r <= rounds; r++) {
        in_registers(r, (signed char)(-r), (unsigned char)(250 + r), (short)(-1000 * r), (unsigned short)(65000 + r),
                -100000 * r, 3000000000u + (unsigned)r, -7000000000L * r, 0xfedcba9876543210UL + (unsigned long)r);
        on_stack(r);
        constants();
        two_sites(r);
        guarded(r, 1000L * r);
    }
    return 0;
}
