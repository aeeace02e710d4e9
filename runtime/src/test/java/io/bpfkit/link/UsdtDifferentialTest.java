package io.bpfkit.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.AttachType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import io.bpfkit.testing.UsdtTarget;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * usdt.bpf.c, written for libbpf's usdt.bpf.h, attached to the probes of the test binary by
 * libbpf (a C harness, src/test/c/libbpf_usdt_attach.c) and by bpfkit: built against Debian's
 * libbpf-dev 1.1 (the test object usdt.bpf.o) with the harness linked to that libbpf.a, and
 * built against the current libbpf (1.7, whose usdt.bpf.h lays the spec map out differently)
 * with the harness linked to that one; the same probes with the same
 * cookies: every argument value the programs read (registers, stack slots and constants of
 * every width, signed and unsigned; a probe with two sites; a probe behind a semaphore, read
 * through BPF_USDT) is the same, and is what the target passed.
 */
@KernelTest
@SuppressWarnings("try")
class UsdtDifferentialTest {
    private static final int ROUNDS = 3;

    /** The harness, linked against Debian's libbpf.a (libbpf-dev), whose headers built the object. */
    static Path harness(Path dir) {
        Path gcc = Tools.find("gcc", "cc");
        Tools.assumePresent(gcc != null, "gcc is not installed (Debian: apt-get install gcc)");
        String multiarch = Tools.run(10, gcc.toString(), "-print-multiarch").out().strip();
        Path libbpf = Path.of("/usr/lib", multiarch, "libbpf.a");
        Tools.assumePresent(Files.isRegularFile(libbpf), libbpf + " is missing (Debian: apt-get install libbpf-dev)");
        Path exe = dir.resolve("libbpf_usdt_attach");
        Tools.Result r = Tools.run(120, gcc.toString(), "-O2", "-Wall", "-Werror", "-o", exe.toString(),
                Path.of("src", "test", "c", "libbpf_usdt_attach.c").toString(), libbpf.toString(), "-lelf", "-lz");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("compiling the libbpf harness failed:\n" + r.stderr());
        }
        return exe;
    }

    /**
     * usdt.bpf.c built against the current libbpf's headers (libbpf 1.7's usdt.bpf.h lays the
     * spec out in 24-byte arguments), by clang as the build builds the test objects.
     */
    static Path againstCurrentLibbpf(Path dir) {
        Path libbpf = Tools.currentLibbpf().orElse(null);
        Tools.assumePresent(libbpf != null, "no current libbpf: set bpfkit.libbpfDir to scripts/kernel-source"
                + " --print-libbpf-dir (scripts/test does)");
        Path clang = Tools.find("clang-19", "clang");
        Tools.assumePresent(clang != null, "clang is not installed (Debian: apt-get install clang-19)");
        Path gcc = Tools.find("gcc", "cc");
        String multiarch = gcc == null ? "x86_64-linux-gnu" : Tools.run(10, gcc.toString(), "-print-multiarch").out()
                .strip();
        Path object = dir.resolve("usdt_current.bpf.o");
        Tools.Result r = Tools.run(120, clang.toString(), "-O2", "-g", "-target", "bpf", "-Wall", "-Werror",
                "-I" + libbpf.resolve("include"), "-I/usr/include/" + multiarch, "-c",
                Path.of("src", "test", "bpf", "usdt.bpf.c").toString(), "-o", object.toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("compiling usdt.bpf.c against " + libbpf + " failed:\n" + r.stderr());
        }
        return object;
    }

    /** What the programs recorded, as the harness prints it. */
    static String events(LoadedObject obj) {
        LoadedMap count = obj.map("event_count").orElseThrow();
        LoadedMap events = obj.map("events").orElseThrow();
        StringBuilder sb = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment n = arena.allocate(ValueLayout.JAVA_LONG);
            MapCalls.of(count.fd()).lookup(key, n);
            long total = n.get(ValueLayout.JAVA_LONG, 0);
            sb.append(total).append('\n');
            MemorySegment e = arena.allocate(15 * 8);
            for (int i = 0; i < total && i < 64; i++) {
                key.set(ValueLayout.JAVA_INT, 0, i);
                MapCalls.of(events.fd()).lookup(key, e);
                List<String> fields = new ArrayList<>();
                for (int f = 0; f < 15; f++) {
                    fields.add(Long.toString(e.getAtIndex(ValueLayout.JAVA_LONG, f)));
                }
                sb.append(String.join(" ", fields)).append('\n');
            }
        }
        return sb.toString();
    }

    static String attachAndRun(LoadedObject obj, Path target) {
        String t = target.toString();
        LoadedProgramLinks links = new LoadedProgramLinks();
        try (links) {
            links.add(Attach.usdt(obj.program("on_probe").orElseThrow(), UsdtOptions.of(t, "bpfkit", "registers")
                    .cookie(1)));
            links.add(Attach.usdt(obj.program("on_probe").orElseThrow(), UsdtOptions.of(t, "bpfkit", "stack")
                    .cookie(2)));
            links.add(Attach.usdt(obj.program("on_probe").orElseThrow(), UsdtOptions.of(t, "bpfkit", "constants")
                    .cookie(3)));
            links.add(Attach.usdt(obj.program("on_probe").orElseThrow(), UsdtOptions.of(t, "bpfkit", "twice")
                    .cookie(4)));
            links.add(Attach.usdt(obj.program("on_guarded").orElseThrow(), UsdtOptions.of(t, "bpfkit", "guarded")
                    .cookie(5)));
            UsdtTarget.run(ROUNDS);
            return events(obj);
        }
    }

    /** Closes the links it holds. */
    static final class LoadedProgramLinks implements AutoCloseable {
        final List<Link> links = new ArrayList<>();

        void add(Link l) {
            links.add(l);
        }

        @Override
        public void close() {
            links.reversed().forEach(Link::close);
        }
    }

    /** The values the target passes in round r, as bpf_usdt_arg gives them. */
    static String expected() {
        StringBuilder sb = new StringBuilder().append(5 * ROUNDS).append('\n');
        for (long r = 1; r <= ROUNDS; r++) {
            sb.append(row(1, 9, r, -r, 250 + r, -1000 * r, 65000 + r, -100000 * r, 3000000000L + r, -7000000000L * r,
                    0xfedcba9876543210L + r));
            sb.append(row(2, 8, -100 - r, 200 + r, -30000 + r, 60000 + r, -2000000000L + r, 4000000000L + r,
                    -9000000000000000000L + r, -446744073709551616L + r)); // 18000000000000000000 + r as signed
            sb.append(row(3, 4, -5, 300, -1234567890123L, 77));
            sb.append(row(4, 2, r, r % 2 == 0 ? 1 : 2));
            sb.append("5 2 0 ").append(r).append(' ').append(1000 * r).append(" 0".repeat(10)).append('\n');
        }
        return sb.toString();
    }

    private static String row(long cookie, int count, long... args) {
        List<String> f = new ArrayList<>(List.of(Long.toString(cookie), Long.toString(count),
                Long.toString(((1L << 12) - 1) & ~((1L << count) - 1))));
        for (int i = 0; i < 12; i++) {
            f.add(Long.toString(i < args.length ? args[i] : -2)); // -ENOENT past the last argument
        }
        return String.join(" ", f) + "\n";
    }

    /**
     * {@code perfEvents}: the programs loaded with expected attach type BPF_PERF_EVENT, so that
     * bpfkit attaches one perf-event uprobe per site (as on kernels before 6.6) instead of one
     * uprobe.multi link per probe.
     */
    @ParameterizedTest(name = "libbpf {0}, one uprobe per site through perf events: {1}")
    @CsvSource({"1.1, false", "1.1, true", "current, false", "current, true"})
    void bpfkitAndLibbpfReadTheSameArgumentValues(String libbpfVersion, boolean perfEvents, @TempDir Path tmp) {
        Path object;
        Path harness;
        if (libbpfVersion.equals("1.1")) {
            object = TestObjects.path("usdt.bpf.o");
            harness = harness(tmp);
        } else {
            object = againstCurrentLibbpf(tmp);
            harness = Tools.compileAgainstLibbpf("libbpf_usdt_attach.c", tmp);
        }
        Path target = UsdtTarget.path();
        Tools.Result libbpf = Tools.run(120, harness.toString(), object.toString(), target.toString(),
                Integer.toString(ROUNDS));
        assertEquals(0, libbpf.exitCode(), libbpf.stderr());
        String bpfkit;
        BpfObjectSpec spec = BpfObjects.open(object);
        if (perfEvents) {
            spec.program("on_probe").orElseThrow().expectedAttachType(AttachType.PERF_EVENT);
            spec.program("on_guarded").orElseThrow().expectedAttachType(AttachType.PERF_EVENT);
        }
        try (LoadedObject obj = BpfLoader.load(spec)) {
            bpfkit = attachAndRun(obj, target);
        }
        assertEquals(expected(), libbpf.out(), "libbpf");
        assertEquals(libbpf.out(), bpfkit, "bpfkit against libbpf");
    }
}
