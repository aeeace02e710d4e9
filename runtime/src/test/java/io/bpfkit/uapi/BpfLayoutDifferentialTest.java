package io.bpfkit.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BpfLayouts} and the constants of {@code io.bpfkit.sys} against the C compiler's view of
 * the installed UAPI headers ({@code src/test/c/attr_offsets.c}). Members and constants the
 * installed headers lack (they may be older than the kernel bpfkit targets) are removed from
 * the C file and reported as skipped; everything else must agree.
 *
 * <p>{@code -Dbpfkit.uapiInclude=DIR} compiles against the headers in {@code DIR/linux}
 * instead (e.g. a kernel tree's {@code usr/include} or libbpf's {@code include/uapi}), to check
 * the fields the installed headers are too old for.
 */
class BpfLayoutDifferentialTest {
    private static final Path SOURCE = Path.of("src", "test", "c", "attr_offsets.c");
    private static final Pattern ENTRY = Pattern.compile(
            "^\\s*(A|S|Z|K|BIT)\\((\\w+),\\s*([^,)]*)(?:,\\s*([^)]*))?\\);.*");
    private static final Pattern DIAG = Pattern.compile("attr_offsets\\.c:(\\d+):\\d+:");

    @TempDir
    static Path tmp;

    /** "layout member" -> {offset, size}. */
    static final Map<String, long[]> members = new LinkedHashMap<>();
    static final Map<String, Long> sizes = new LinkedHashMap<>();
    static final Map<String, Long> constants = new LinkedHashMap<>();
    static final Map<String, Integer> bits = new LinkedHashMap<>();
    /** Entries the installed headers lack, e.g. "map_create map_token_fd" or "const Bpf.BPF_TOKEN_CREATE". */
    static final Set<String> skipped = new TreeSet<>();

    @BeforeAll
    static void compileAndRun() throws IOException {
        Path gcc = Tools.find("gcc", "cc");
        Tools.assumePresent(gcc != null, "no C compiler (gcc) on this machine (Debian: apt-get install gcc)");
        Tools.assumePresent(Files.exists(Path.of("/usr/include/linux/bpf.h")),
                "no kernel UAPI headers (/usr/include/linux/bpf.h; Debian: linux-libc-dev)");
        List<String> lines = withUapiNames(Files.readAllLines(SOURCE));
        Path src = tmp.resolve("attr_offsets.c");
        Path exe = tmp.resolve("attr_offsets");
        for (int round = 0; ; round++) {
            Files.write(src, lines);
            List<String> cmd = new ArrayList<>(List.of(gcc.toString(), "-std=gnu11", "-O0"));
            String include = System.getProperty("bpfkit.uapiInclude", "");
            if (!include.isEmpty()) {
                cmd.add("-I" + include);
            }
            cmd.addAll(List.of("-o", exe.toString(), src.toString()));
            Tools.Result r = Tools.run(120, cmd.toArray(String[]::new));
            if (r.exitCode() == 0) {
                break;
            }
            Set<Integer> bad = new LinkedHashSet<>();
            Matcher m = DIAG.matcher(r.stderr());
            while (m.find()) {
                int line = Integer.parseInt(m.group(1)) - 1;
                if (line >= 0 && line < lines.size() && ENTRY.matcher(lines.get(line)).matches()) {
                    bad.add(line);
                }
            }
            if (bad.isEmpty() || round == 10) {
                throw new AssertionError("attr_offsets.c does not compile:\n" + r.stderr());
            }
            for (int line : bad) {
                Matcher e = ENTRY.matcher(lines.get(line));
                if (!e.matches()) {
                    throw new AssertionError("not an entry: " + lines.get(line));
                }
                skipped.add(key(e));
                lines.set(line, "    /* not in the installed headers: " + lines.get(line).strip() + " */");
            }
        }
        Tools.Result out = Tools.run(60, exe.toString());
        assertEquals(0, out.exitCode(), out.stderr());
        for (String line : out.out().split("\n")) {
            String[] f = line.split(" ");
            if (f.length == 5 && f[0].equals("bit")) {
                bits.put(f[1] + " " + f[2], Integer.parseInt(f[3]));
                continue;
            }
            if (f.length != 4) {
                throw new AssertionError("unexpected output line of attr_offsets: " + line);
            }
            switch (f[0]) {
                case "const" -> constants.put(f[1], Long.parseLong(f[2]));
                default -> {
                    if (f[1].equals("__size__")) {
                        sizes.put(f[0], Long.parseLong(f[2]));
                    } else {
                        members.put(f[0] + " " + f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                    }
                }
            }
        }
        System.out.println("attr_offsets: " + members.size() + " members, " + constants.size() + " constants, "
                + bits.size() + " bit fields compared; not in the installed headers (skipped): " + skipped);
    }

    /** {@code lines} with the marker line replaced by a {@code K()} line per name of names.txt. */
    private static List<String> withUapiNames(List<String> lines) throws IOException {
        List<UapiGenerator.ClassSpec> classes = UapiGenerator.parse(
                Files.readAllLines(Path.of("..").resolve(UapiGenerator.NAMES)));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (!line.strip().equals("/* @UAPI_NAMES@ */")) {
                out.add(line);
                continue;
            }
            for (UapiGenerator.ClassSpec cs : classes) {
                for (UapiGenerator.Name n : cs.names()) {
                    out.add("    K(" + cs.name() + ", " + n.name() + ", " + n.name() + ");");
                }
            }
        }
        if (out.size() == lines.size()) {
            throw new AssertionError(SOURCE + " has no /* @UAPI_NAMES@ */ line");
        }
        return out;
    }

    /** The name of an entry line as the output and the skip list spell it. */
    private static String key(Matcher m) {
        return switch (m.group(1)) {
            case "K" -> "const " + m.group(2) + "." + m.group(3).strip();
            case "Z" -> m.group(2) + " __size__";
            case "BIT" -> "bit " + m.group(2) + " " + m.group(4).strip();
            default -> m.group(2) + " " + m.group(4).strip();
        };
    }

    private static boolean isBitField(String layout, String member) {
        return layout.equals("perf_event_attr") && member.equals("flags")
                || layout.equals("bpf_prog_info") && member.equals("gpl_compatible");
    }

    @Test
    void everyJavaMemberHasTheCompilersOffsetAndSize() {
        List<String> problems = new ArrayList<>();
        int compared = 0;
        int total = 0;
        for (StructLayout l : BpfLayouts.ALL) {
            String layout = l.name().orElseThrow();
            for (MemoryLayout m : l.memberLayouts()) {
                if (BpfLayouts.isPadding(m)) {
                    continue;
                }
                String member = m.name().orElseThrow();
                if (isBitField(layout, member)) {
                    continue;
                }
                total++;
                String key = layout + " " + member;
                long off = l.byteOffset(MemoryLayout.PathElement.groupElement(member));
                long[] c = members.get(key);
                if (c == null) {
                    if (!skipped.contains(key)) {
                        problems.add(key + ": not in attr_offsets.c");
                    }
                    continue;
                }
                compared++;
                if (c[0] != off || c[1] != m.byteSize()) {
                    problems.add(key + ": Java offset " + off + " size " + m.byteSize() + ", C offset " + c[0]
                            + " size " + c[1]);
                }
            }
        }
        for (String key : members.keySet()) {
            String[] f = key.split(" ");
            boolean known = BpfLayouts.ALL.stream().anyMatch(l -> l.name().orElseThrow().equals(f[0])
                    && l.memberLayouts().stream().anyMatch(m -> m.name().orElse("").equals(f[1])));
            if (!known) {
                problems.add(key + ": in attr_offsets.c but not in BpfLayouts");
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(compared >= total * 2 / 3, "only " + compared + " of " + total + " members compared");
    }

    @Test
    void structSizesCoverTheHeaders() {
        for (StructLayout l : BpfLayouts.ALL) {
            String layout = l.name().orElseThrow();
            Long c = sizes.get(layout);
            if (c != null) {
                // the Java layout follows Linux 6.18; older headers have a prefix of it
                assertTrue(l.byteSize() >= c, layout + ": Java " + l.byteSize() + " < C " + c);
                boolean complete = l.memberLayouts().stream().filter(m -> !BpfLayouts.isPadding(m))
                        .noneMatch(m -> skipped.contains(layout + " " + m.name().orElseThrow()));
                if (complete && !layout.startsWith("bpf_link_info")) {
                    assertEquals(c.longValue(), l.byteSize(), layout + " size");
                }
            }
        }
        assertEquals(BpfLayouts.PERF_EVENT_ATTR.byteSize(), Perf.PERF_ATTR_SIZE_VER8);
    }

    @Test
    void constantsMatchTheHeaders() throws ReflectiveOperationException {
        List<String> problems = new ArrayList<>();
        assertTrue(constants.size() > 100, "constants compared: " + constants.size());
        for (Map.Entry<String, Long> e : constants.entrySet()) {
            String[] cf = e.getKey().split("\\.");
            Object v = constantsClass(cf[0]).getField(cf[1]).get(null);
            long java = v instanceof Integer i ? Integer.toUnsignedLong(i) : ((Number) v).longValue();
            long c = v instanceof Integer ? e.getValue() & 0xffff_ffffL : e.getValue();
            if (java != c) {
                problems.add(e.getKey() + ": Java " + java + ", C " + c);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void bitFieldsSitWhereTheCompilerPutsThem() {
        long flagsWord = 8 * BpfLayouts.PERF_EVENT_ATTR.byteOffset(MemoryLayout.PathElement.groupElement("flags"));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Integer> b : PerfEventFlags.FLAG_BITS.entrySet()) {
            String key = "perf_event_attr " + b.getKey();
            Integer c = bits.get(key);
            if (c == null) {
                if (!skipped.contains("bit " + key)) {
                    problems.add(key + ": not in attr_offsets.c");
                }
                continue;
            }
            if (flagsWord + b.getValue() != c) {
                problems.add(key + ": Java bit " + (flagsWord + b.getValue()) + ", C bit " + c);
            }
        }
        assertEquals(List.of(), problems);
        long gpl = 8 * BpfLayouts.PROG_INFO.byteOffset(MemoryLayout.PathElement.groupElement("gpl_compatible"));
        assertEquals(gpl, bits.get("bpf_prog_info gpl_compatible").longValue());
        assertTrue(bits.size() >= 30, "bit fields compared: " + bits.size());
    }

    /** The class that holds a constant: the kernel ABI's data in uapi, its calls in sys. */
    private static Class<?> constantsClass(String simpleName) throws ClassNotFoundException {
        try {
            return Class.forName("io.bpfkit.uapi." + simpleName);
        } catch (ClassNotFoundException e) {
            return Class.forName("io.bpfkit.sys." + simpleName);
        }
    }
}
