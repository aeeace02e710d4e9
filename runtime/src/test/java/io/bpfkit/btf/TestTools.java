package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the BTF tests need from outside the package: the ELF sections of an object (a minimal
 * finder until the real {@code io.bpfkit.elf} reader is there), and the external tools bpftool
 * and clang.
 */
final class TestTools {
    private TestTools() {
    }

    /** The bytes of one section of an ELF64 file, either byte order, or empty. */
    static Optional<MemorySegment> elfSection(byte[] elf, String name) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2) {
            throw new IllegalArgumentException("not an ELF64 file");
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        long strtab = b.getLong((int) (shoff + (long) shstrndx * shentsize + 24));
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            int nameOff = b.getInt(sh);
            int p = (int) (strtab + nameOff);
            int end = p;
            while (elf[end] != 0) {
                end++;
            }
            if (new String(elf, p, end - p, StandardCharsets.US_ASCII).equals(name)) {
                long off = b.getLong(sh + 24);
                long size = b.getLong(sh + 32);
                return Optional.of(MemorySegment.ofArray(elf).asSlice(off, size));
            }
        }
        return Optional.empty();
    }

    /** bpftool, or the test is skipped (failed where tests are required) saying how to install it. */
    static Path requireBpftool() {
        Optional<Path> b = bpftool();
        Tools.assumePresent(b.isPresent(), "bpftool is not installed (Debian: apt-get install bpftool)");
        return b.get();
    }

    /** bpftool's version as {major, minor}, from {@code bpftool version} ("bpftool v7.1.0"). */
    static int[] bpftoolVersion(Path bpftool) throws IOException, InterruptedException {
        String out = new String(run(List.of(bpftool.toString(), "version")), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)").matcher(out);
        if (!m.find()) {
            fail(bpftool + " version printed no version: " + out);
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** Whether this bpftool writes kfunc prototypes (and sorts its C dump unless told "unsorted"): 7.5 on. */
    static boolean bpftoolHasKfuncPrototypes(Path bpftool) throws IOException, InterruptedException {
        int[] v = bpftoolVersion(bpftool);
        return v[0] > 7 || (v[0] == 7 && v[1] >= 5);
    }

    /**
     * {@code bpftool [OPTIONS] btf dump file FILE format c}, in the order bpfkit writes
     * ({@code unsorted} for bpftool 7.5 on, which sorts by default).
     */
    static String bpftoolHeader(Path bpftool, List<String> options, Path file) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(bpftool.toString());
        cmd.addAll(options);
        cmd.addAll(List.of("btf", "dump", "file", file.toString(), "format", "c"));
        if (bpftoolHasKfuncPrototypes(bpftool)) {
            cmd.add("unsorted");
        }
        return new String(run(cmd), StandardCharsets.UTF_8);
    }

    /** What bpftool 7.5 writes after the pragma, before the types. */
    static final String KSYM_DEFINES = """
            #ifndef __ksym
            #define __ksym __attribute__((section(".ksyms")))
            #endif

            #ifndef __weak
            #define __weak __attribute__((weak))
            #endif

            """;
    private static final String KFUNC_BLOCK_START = "\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n";
    private static final String KFUNC_BLOCK_END = "#endif\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n";

    /**
     * Our header as {@code bpftool} prints it: for a bpftool older than 7.5, without what 7.5
     * added (the {@code __ksym}/{@code __weak} definitions and the kfunc block), which must be
     * there.
     */
    static String asPrintedBy(Path bpftool, String ours) throws IOException, InterruptedException {
        return bpftoolHasKfuncPrototypes(bpftool) ? ours : withoutKfuncPrototypes(ours);
    }

    /** A bpfkit header without the parts bpftool 7.5 added; fails when they are not there. */
    static String withoutKfuncPrototypes(String ours) {
        int defines = ours.indexOf(KSYM_DEFINES);
        int start = ours.lastIndexOf(KFUNC_BLOCK_START);
        int end = ours.lastIndexOf(KFUNC_BLOCK_END);
        if (defines < 0 || start < defines || end < start) {
            fail("the header lacks the __ksym/__weak definitions or the kfunc block:\n"
                    + ours.substring(0, Math.min(ours.length(), 600)));
        }
        return ours.substring(0, defines) + ours.substring(defines + KSYM_DEFINES.length(), start)
                + ours.substring(end + "#endif\n\n".length());
    }

    /**
     * A function's type as "RET(P1, P2, ...)", each type the chain of kinds down to a name:
     * "PTR CONST STRUCT task_struct", "TYPEDEF u32", "INT 8 signed" (integers by size and sign:
     * clang calls pahole's "long int" "long"), "void"; a variadic last parameter is "...". Type
     * tags are left out (whether a compiler keeps them is not what the callers compare).
     * Parameter names are left out too: clang keeps none for an extern function.
     */
    static String signature(Btf btf, BtfType.Func f) {
        BtfType.FuncProto p = (BtfType.FuncProto) btf.type(f.type());
        List<String> params = new java.util.ArrayList<>();
        for (BtfType.Param pa : p.params()) {
            params.add(pa.type() == 0 ? "..." : typeChain(btf, pa.type()));
        }
        return typeChain(btf, p.returnType()) + "(" + String.join(", ", params) + ")";
    }

    private static String typeChain(Btf btf, int id) {
        StringBuilder s = new StringBuilder();
        while (id != 0) {
            BtfType t = btf.type(id);
            switch (t) {
                case BtfType.TypeTag r -> id = r.type();
                case BtfType.Ptr r -> {
                    s.append("PTR ");
                    id = r.type();
                }
                case BtfType.Const r -> {
                    s.append("CONST ");
                    id = r.type();
                }
                case BtfType.Volatile r -> {
                    s.append("VOLATILE ");
                    id = r.type();
                }
                case BtfType.Array a -> {
                    s.append("ARRAY ").append(a.elements()).append(' ');
                    id = a.type();
                }
                case BtfType.Int i -> {
                    return s.append("INT ").append(i.size()).append(i.isSigned() ? " signed" : " unsigned").toString();
                }
                default -> {
                    return s.append(t.kind().label()).append(t.name().isEmpty() ? "" : " " + t.name()).toString();
                }
            }
        }
        return s.append("void").toString();
    }

    /** clang, or the test is skipped (failed where tests are required) saying how to install it. */
    static Path requireClang() {
        Optional<Path> c = clang();
        Tools.assumePresent(c.isPresent(), "clang is not installed (Debian: apt-get install clang-19)");
        return c.get();
    }

    /** The kernel's BTF, or the test is skipped (failed where tests are required). */
    static Path requireVmlinuxBtf() {
        Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
        Tools.assumePresent(Files.isReadable(vmlinux),
                vmlinux + " is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF");
        return vmlinux;
    }

    /** The objects the build compiled from runtime/src/test/bpf, sorted; never none. */
    static List<Path> testObjects() {
        List<Path> objects = TestObjects.all();
        if (objects.isEmpty()) {
            throw new AssertionError("no *.o in " + TestObjects.dir()
                    + " (built from runtime/src/test/bpf/*.bpf.c)");
        }
        return objects;
    }

    static Optional<Path> bpftool() {
        return onPath("bpftool", "/usr/sbin/bpftool", "/usr/local/sbin/bpftool");
    }

    static Optional<Path> clang() {
        return onPath("clang-19", "clang");
    }

    private static Optional<Path> onPath(String... names) {
        for (String n : names) {
            if (n.startsWith("/")) {
                if (Files.isExecutable(Path.of(n))) {
                    return Optional.of(Path.of(n));
                }
                continue;
            }
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, n))) {
                    return Optional.of(Path.of(dir, n));
                }
            }
        }
        return Optional.empty();
    }

    private static final java.util.Map<String, Path> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();
    private static Path scratch;

    /**
     * A snippet compiled once per test run (see {@link #requireClang()} for a missing clang), in a
     * temporary directory removed when the JVM exits.
     */
    static synchronized Path compiled(String name, String source, String target) throws Exception {
        Path done = COMPILED.get(name + "." + target);
        if (done != null) {
            return done;
        }
        Path clang = requireClang();
        if (scratch == null) {
            scratch = Files.createTempDirectory("bpfkit-btf-test");
            scratch.toFile().deleteOnExit();
        }
        Path o = compile(clang, scratch, name, source, target);
        scratch.resolve(name + ".c").toFile().deleteOnExit();
        o.toFile().deleteOnExit();
        COMPILED.put(name + "." + target, o);
        return o;
    }

    /**
     * Compiles BPF C with clang into {@code dir/name.target.o} (target "bpfel" or "bpfeb"), as
     * the build's scripts/build-bpf.sh does.
     */
    static Path compile(Path clang, Path dir, String name, String source, String target)
            throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path o = dir.resolve(name + "." + target + ".o");
        List<String> cmd = new java.util.ArrayList<>(List.of(clang.toString(), "-O2", "-g", "-target", target, "-Wall"));
        String multiarch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> System.getProperty("os.arch") + "-linux-gnu";
        };
        if (Files.isDirectory(Path.of("/usr/include", multiarch))) {
            cmd.add("-I/usr/include/" + multiarch);
        }
        cmd.addAll(List.of("-c", c.toString(), "-o", o.toString()));
        run(cmd);
        return o;
    }

    /** Runs a command; returns its standard output, failing the test on a non-zero exit. */
    static byte[] run(List<String> command) {
        Tools.Result r = Tools.run(120, command.toArray(String[]::new));
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /**
     * Compares two dumps line by line; on a difference fails naming the first differing line
     * (1-based) and both versions of it.
     */
    static void assertSameLines(byte[] expected, byte[] actual, String what) {
        if (java.util.Arrays.equals(expected, actual)) {
            return;
        }
        String[] e = new String(expected, StandardCharsets.UTF_8).split("\n", -1);
        String[] a = new String(actual, StandardCharsets.UTF_8).split("\n", -1);
        int n = Math.min(e.length, a.length);
        for (int i = 0; i < n; i++) {
            if (!e[i].equals(a[i])) {
                fail(what + ": first difference at line " + (i + 1) + "\n  bpftool: " + e[i] + "\n  bpfkit:  " + a[i]);
            }
        }
        fail(what + ": bpftool printed " + e.length + " lines, bpfkit " + a.length + "; the first " + n + " agree"
                + (e.length > n ? "\n  next bpftool line: " + e[n] : "\n  next bpfkit line: " + a[n]));
    }
}
