package io.bpfkit.perfevent;

import io.bpfkit.api.LoadException;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads event names the way {@code perf stat -e} takes them and resolves them to a
 * {@link PerfEventSpec}:
 * <ul>
 *   <li>generic hardware events: {@code cycles}, {@code instructions}, {@code cache-misses},
 *       {@code branch-misses}, {@code ref-cycles}, ...;</li>
 *   <li>hardware cache events: {@code L1-dcache-load-misses}, {@code LLC-loads},
 *       {@code dTLB-load-misses}, {@code branch-loads}, ...;</li>
 *   <li>raw core PMU events: {@code r01c2};</li>
 *   <li>sysfs PMU events: {@code cpu/event=0x3c,umask=0x00/}, {@code msr/tsc/}, terms mapped to
 *       config bits through the PMU's {@code format} files and its dynamic type number; a name
 *       a single PMU defines in its {@code events} folder may be written bare ({@code tsc});</li>
 *   <li>software events: {@code cpu-clock}, {@code task-clock}, {@code page-faults},
 *       {@code context-switches}, {@code cpu-migrations}, ...;</li>
 * </ul>
 * each optionally followed by modifiers {@code :u} (user only), {@code :k} (kernel only),
 * {@code :h} (hypervisor) and {@code :p} (precise, repeatable), combined as in {@code :uk}.
 *
 * <pre>{@code
 * PerfEventSpec e = PerfEventParser.system().parse("L1-dcache-load-misses:u");
 * }</pre>
 *
 * <p>Only sysfs is read (no system calls); a parser over another folder serves tests.
 */
public final class PerfEventParser {
    /** Where the kernel lists its PMUs. */
    public static final Path SYSFS_PMUS = Path.of("/sys/bus/event_source/devices");

    private static final PerfEventParser SYSTEM = new PerfEventParser(SYSFS_PMUS);

    private static final Map<String, Long> HARDWARE = names(
            "cycles", Perf.PERF_COUNT_HW_CPU_CYCLES, "cpu-cycles", Perf.PERF_COUNT_HW_CPU_CYCLES,
            "instructions", Perf.PERF_COUNT_HW_INSTRUCTIONS,
            "cache-references", Perf.PERF_COUNT_HW_CACHE_REFERENCES,
            "cache-misses", Perf.PERF_COUNT_HW_CACHE_MISSES,
            "branches", Perf.PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
            "branch-instructions", Perf.PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
            "branch-misses", Perf.PERF_COUNT_HW_BRANCH_MISSES,
            "bus-cycles", Perf.PERF_COUNT_HW_BUS_CYCLES,
            "stalled-cycles-frontend", Perf.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND,
            "idle-cycles-frontend", Perf.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND,
            "stalled-cycles-backend", Perf.PERF_COUNT_HW_STALLED_CYCLES_BACKEND,
            "idle-cycles-backend", Perf.PERF_COUNT_HW_STALLED_CYCLES_BACKEND,
            "ref-cycles", Perf.PERF_COUNT_HW_REF_CPU_CYCLES);

    private static final Map<String, Long> SOFTWARE = names(
            "cpu-clock", Perf.PERF_COUNT_SW_CPU_CLOCK,
            "task-clock", Perf.PERF_COUNT_SW_TASK_CLOCK,
            "page-faults", Perf.PERF_COUNT_SW_PAGE_FAULTS, "faults", Perf.PERF_COUNT_SW_PAGE_FAULTS,
            "context-switches", Perf.PERF_COUNT_SW_CONTEXT_SWITCHES, "cs", Perf.PERF_COUNT_SW_CONTEXT_SWITCHES,
            "cpu-migrations", Perf.PERF_COUNT_SW_CPU_MIGRATIONS, "migrations", Perf.PERF_COUNT_SW_CPU_MIGRATIONS,
            "minor-faults", Perf.PERF_COUNT_SW_PAGE_FAULTS_MIN,
            "major-faults", Perf.PERF_COUNT_SW_PAGE_FAULTS_MAJ,
            "alignment-faults", Perf.PERF_COUNT_SW_ALIGNMENT_FAULTS,
            "emulation-faults", Perf.PERF_COUNT_SW_EMULATION_FAULTS,
            "dummy", Perf.PERF_COUNT_SW_DUMMY,
            "bpf-output", Perf.PERF_COUNT_SW_BPF_OUTPUT,
            "cgroup-switches", Perf.PERF_COUNT_SW_CGROUP_SWITCHES);

    /** perf's cache names and their {@code PERF_COUNT_HW_CACHE_*} ids. */
    private static final Map<String, Long> CACHES = names(
            "L1-dcache", 0, "l1-d", 0, "l1d", 0,
            "L1-icache", 1, "l1-i", 1, "l1i", 1,
            "LLC", 2, "L2", 2,
            "dTLB", 3, "d-tlb", 3,
            "iTLB", 4, "i-tlb", 4,
            "branch", 5, "bpu", 5, "btb", 5, "bpc", 5,
            "node", 6);

    private static final Map<String, Long> CACHE_OPS = names(
            "load", 0, "loads", 0, "read", 0,
            "store", 1, "stores", 1, "write", 1,
            "prefetch", 2, "prefetches", 2, "speculative-read", 2, "speculative-load", 2);

    private static final long CACHE_RESULT_ACCESS = 0;
    private static final long CACHE_RESULT_MISS = 1;

    private final Path pmus;

    /** A parser over a PMU folder laid out as {@link #SYSFS_PMUS} (for tests: a copy of it). */
    public PerfEventParser(Path pmus) {
        this.pmus = pmus;
    }

    /** The parser over this machine's {@link #SYSFS_PMUS}. */
    public static PerfEventParser system() {
        return SYSTEM;
    }

    /**
     * Resolves {@code text}.
     *
     * @throws LoadException naming what is wrong: an unknown event, PMU, term or modifier, a
     *     value too wide for its format bits
     * @throws IllegalArgumentException when {@code text} is null or blank
     */
    public PerfEventSpec parse(String text) {
        String[] parts = split(text);
        Resolved r = resolve(text, parts[0]);
        return withModifiers(text, r, parts[1]);
    }

    /**
     * Resolves {@code text} without reading sysfs, as javac checks a binding: the spec of a
     * built-in hardware, cache, software or raw event; empty for a name only a PMU's sysfs
     * folder resolves ({@code pmu/terms/}, or a bare name the built-in tables lack, such as
     * {@code tsc}), which the loader resolves on the machine that counts.
     *
     * <pre>{@code
     * PerfEventParser.parseOffline("instructions:u");   // the spec
     * PerfEventParser.parseOffline("cpu/event=0x3c/");  // empty: needs sysfs
     * PerfEventParser.parseOffline("cylces");           // LoadException: did you mean 'cycles'?
     * }</pre>
     *
     * @throws LoadException for what no machine accepts: malformed {@code pmu/terms/}, an
     *     unknown modifier, or a misspelling of a built-in event (a name one or two letters away
     *     from one), naming the built-in events
     * @throws IllegalArgumentException when {@code text} is null or blank
     */
    public static Optional<PerfEventSpec> parseOffline(String text) {
        String[] parts = split(text);
        String event = parts[0];
        Resolved r = event.indexOf('/') >= 0 ? null : builtIn(event);
        if (r != null) {
            return Optional.of(withModifiers(text, r, parts[1]));
        }
        if (event.indexOf('/') >= 0) {
            checkSysfsSyntax(text, event);
        } else {
            String near = misspelled(event);
            if (near != null) {
                throw new LoadException("perf event '" + text + "'", "unknown event: did you mean '" + near
                        + "'? Built-in events: hardware " + HARDWARE.keySet() + ", software " + SOFTWARE.keySet()
                        + ", caches as L1-dcache-load-misses, raw as r003c; PMU events as cpu/event=0x3c/");
            }
        }
        withModifiers(text, new Resolved("sysfs", 0, new long[4]), parts[1]); // checks the modifiers
        return Optional.empty();
    }

    /** {@code text} as event and modifiers ({@code instructions:u} to {@code instructions}, {@code u}). */
    private static String[] split(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty perf event name");
        }
        String event = text.strip();
        String modifiers = "";
        int slash = event.lastIndexOf('/');
        int colon = event.indexOf(':', slash + 1);
        if (colon >= 0) {
            modifiers = event.substring(colon + 1);
            event = event.substring(0, colon);
        }
        return new String[] {event, modifiers};
    }

    /**
     * The built-in hardware or software name {@code event} is a misspelling of, or null: names
     * of five letters or more, same length give or take one letter, one edit (two for names
     * longer than six letters). Short names ({@code cs}, {@code tsc}) and PMU events such as
     * Intel's {@code cycles-t} are too far to count as misspellings, so they are left to sysfs.
     */
    private static String misspelled(String event) {
        String lower = event.toLowerCase(Locale.ROOT);
        for (Map<String, Long> names : List.of(HARDWARE, SOFTWARE)) {
            for (String known : names.keySet()) {
                int allowed = known.length() <= 6 ? 1 : 2;
                if (known.length() >= 5 && lower.length() >= 5 && Math.abs(known.length() - lower.length()) <= 1
                        && edits(lower, known) <= allowed) {
                    return known;
                }
            }
        }
        return null;
    }

    /** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
    private static int edits(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private record Resolved(String pmu, int type, long[] config) {
    }

    private Resolved resolve(String text, String event) {
        if (event.indexOf('/') >= 0) {
            return sysfs(text, event);
        }
        Resolved r = builtIn(event);
        return r != null ? r : namedSysfsEvent(text, event);
    }

    /** A hardware, software, raw or cache event, or null: the names that need no sysfs. */
    private static Resolved builtIn(String event) {
        Long hw = HARDWARE.get(event.toLowerCase(Locale.ROOT));
        if (hw != null) {
            return new Resolved("hardware", Perf.PERF_TYPE_HARDWARE, new long[] {hw, 0, 0, 0});
        }
        Long sw = SOFTWARE.get(event.toLowerCase(Locale.ROOT));
        if (sw != null) {
            return new Resolved("software", Perf.PERF_TYPE_SOFTWARE, new long[] {sw, 0, 0, 0});
        }
        if (event.matches("r[0-9a-fA-F]{1,16}")) {
            long raw = Long.parseUnsignedLong(event.substring(1), 16);
            return new Resolved("raw", Perf.PERF_TYPE_RAW, new long[] {raw, 0, 0, 0});
        }
        Long cache = cacheConfig(event);
        if (cache != null) {
            return new Resolved("hardware cache", Perf.PERF_TYPE_HW_CACHE, new long[] {cache, 0, 0, 0});
        }
        return null;
    }

    /** {@code <cache>-<op>s} (accesses) or {@code <cache>-<op>-misses}, as perf spells them. */
    private static Long cacheConfig(String event) {
        String lower = event.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Long> cache : CACHES.entrySet()) {
            String prefix = cache.getKey() + "-";
            if (!lower.startsWith(prefix)) {
                continue;
            }
            String rest = lower.substring(prefix.length());
            long result = CACHE_RESULT_ACCESS;
            for (String miss : List.of("-misses", "-miss")) {
                if (rest.endsWith(miss)) {
                    rest = rest.substring(0, rest.length() - miss.length());
                    result = CACHE_RESULT_MISS;
                    break;
                }
            }
            if (result == CACHE_RESULT_ACCESS && rest.endsWith("-refs")) {
                rest = rest.substring(0, rest.length() - "-refs".length());
            }
            Long op = CACHE_OPS.get(rest);
            if (op != null) {
                return cache.getValue() | op << 8 | result << 16;
            }
        }
        return null;
    }

    /** {@code pmu/term=value,term,alias/}. */
    private Resolved sysfs(String text, String event) {
        checkSysfsSyntax(text, event);
        int first = event.indexOf('/');
        String pmu = event.substring(0, first);
        String terms = event.substring(first + 1, event.length() - 1);
        Path dir = pmuDir(text, pmu);
        long[] config = new long[4];
        for (String term : splitTerms(terms)) {
            applyTerm(text, pmu, dir, term, config);
        }
        return new Resolved(pmu, pmuType(text, pmu, dir), config);
    }

    private static void checkSysfsSyntax(String text, String event) {
        if (!event.endsWith("/") || event.indexOf('/') == event.length() - 1 || event.startsWith("/")) {
            throw new LoadException("perf event '" + text + "'", "expected pmu/terms/, e.g. cpu/event=0x3c/");
        }
    }

    /** A bare name one PMU lists in its {@code events} folder ({@code tsc}, {@code mem-loads}). */
    private Resolved namedSysfsEvent(String text, String event) {
        List<String> owners = new ArrayList<>();
        if (Files.isDirectory(pmus) && !event.isEmpty() && event.indexOf('.') < 0) {
            try (Stream<Path> s = Files.list(pmus)) {
                s.sorted().forEach(p -> {
                    if (Files.isRegularFile(p.resolve("events").resolve(event))) {
                        owners.add(p.getFileName().toString());
                    }
                });
            } catch (IOException e) {
                throw new LoadException("perf event '" + text + "'", "cannot list " + pmus + ": " + e.getMessage(), e);
            }
        }
        if (owners.size() == 1) {
            return sysfs(text, owners.getFirst() + "/" + event + "/");
        }
        if (owners.size() > 1) {
            throw new LoadException("perf event '" + text + "'", "is defined by several PMUs " + owners
                    + ": write it as " + owners.getFirst() + "/" + event + "/");
        }
        throw new LoadException("perf event '" + text + "'", "unknown event: not a hardware, cache, software or raw "
                + "(rNNNN) event, and no PMU in " + pmus + " has an event of that name");
    }

    private static List<String> splitTerms(String terms) {
        List<String> out = new ArrayList<>();
        for (String t : terms.split(",")) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return out;
    }

    private void applyTerm(String text, String pmu, Path dir, String term, long[] config) {
        int eq = term.indexOf('=');
        String name = eq < 0 ? term : term.substring(0, eq).strip();
        if (eq < 0) {
            Path alias = dir.resolve("events").resolve(name);
            if (Files.isRegularFile(alias) && !name.contains("..") && !name.contains("/")) {
                for (String t : splitTerms(read(text, alias))) {
                    applyTerm(text, pmu, dir, t, config);
                }
                return;
            }
        }
        long value = eq < 0 ? 1 : parseNumber(text, term, term.substring(eq + 1).strip());
        switch (name) {
            case "config" -> config[0] = value;
            case "config1" -> config[1] = value;
            case "config2" -> config[2] = value;
            case "config3" -> config[3] = value;
            default -> {
                Path format = dir.resolve("format").resolve(name);
                if (name.isEmpty() || name.contains("..") || name.contains("/") || !Files.isRegularFile(format)) {
                    throw new LoadException("perf event '" + text + "'", "PMU '" + pmu + "' has no term or event '"
                            + name + "' (see " + dir.resolve("format") + " and " + dir.resolve("events") + ")");
                }
                placeBits(text, name, read(text, format), value, config);
            }
        }
    }

    /** Spreads {@code value} over the bits a format file names, e.g. {@code config:0-7,21}. */
    static void placeBits(String text, String term, String format, long value, long[] config) {
        int colon = format.indexOf(':');
        if (colon < 0) {
            throw new LoadException("perf event '" + text + "'", "format of '" + term + "' is not field:bits: "
                    + format);
        }
        int word = switch (format.substring(0, colon).strip()) {
            case "config" -> 0;
            case "config1" -> 1;
            case "config2" -> 2;
            case "config3" -> 3;
            default -> throw new LoadException("perf event '" + text + "'", "format of '" + term
                    + "' names an unknown field: " + format);
        };
        long remaining = value;
        for (String range : format.substring(colon + 1).strip().split(",")) {
            String[] ends = range.strip().split("-");
            int lo;
            int hi;
            try {
                lo = Integer.parseInt(ends[0].strip());
                hi = ends.length > 1 ? Integer.parseInt(ends[1].strip()) : lo;
            } catch (NumberFormatException e) {
                throw new LoadException("perf event '" + text + "'", "bad bit range in format of '" + term
                        + "': " + format, e);
            }
            if (lo < 0 || hi > 63 || hi < lo || ends.length > 2) {
                throw new LoadException("perf event '" + text + "'", "bad bit range in format of '" + term
                        + "': " + format);
            }
            int width = hi - lo + 1;
            long mask = width == 64 ? -1L : (1L << width) - 1;
            config[word] = config[word] & ~(mask << lo) | (remaining & mask) << lo;
            remaining = width == 64 ? 0 : remaining >>> width;
        }
        if (remaining != 0) {
            throw new LoadException("perf event '" + text + "'", "value 0x" + Long.toHexString(value)
                    + " of '" + term + "' does not fit its bits (" + format + ")");
        }
    }

    private static long parseNumber(String text, String term, String v) {
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new LoadException("perf event '" + text + "'", "term '" + term + "' needs a number", e);
        }
    }

    private Path pmuDir(String text, String pmu) {
        if (pmu.isEmpty() || pmu.contains("..") || pmu.contains("/")) {
            throw new LoadException("perf event '" + text + "'", "bad PMU name '" + pmu + "'");
        }
        Path dir = pmus.resolve(pmu);
        if (!Files.isDirectory(dir)) {
            throw new LoadException("perf event '" + text + "'", "no PMU '" + pmu + "' on this machine ("
                    + pmus + " has " + listPmus() + ")");
        }
        return dir;
    }

    private String listPmus() {
        try (Stream<Path> s = Files.list(pmus)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        } catch (IOException e) {
            return "nothing readable";
        }
    }

    private static int pmuType(String text, String pmu, Path dir) {
        String type = read(text, dir.resolve("type")).strip();
        try {
            return Integer.parseInt(type);
        } catch (NumberFormatException e) {
            throw new LoadException("perf event '" + text + "'", "PMU '" + pmu + "' has type '" + type + "'", e);
        }
    }

    private static String read(String text, Path file) {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            throw new LoadException("perf event '" + text + "'", "" + file + " is missing", e);
        } catch (IOException e) {
            throw new LoadException("perf event '" + text + "'", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static PerfEventSpec withModifiers(String text, Resolved r, String modifiers) {
        boolean user = false;
        boolean kernel = false;
        boolean hv = false;
        int precise = 0;
        for (char c : modifiers.toCharArray()) {
            switch (c) {
                case 'u' -> user = true;
                case 'k' -> kernel = true;
                case 'h' -> hv = true;
                case 'p' -> precise++;
                default -> throw new LoadException("perf event '" + text + "'", "unknown modifier '" + c
                        + "' (bpfkit knows u, k, h and p)");
            }
        }
        if (precise > 3) {
            throw new LoadException("perf event '" + text + "'", "at most three p modifiers");
        }
        boolean any = user || kernel || hv;
        // perf: naming any privilege level counts only the levels named
        return new PerfEventSpec(text.strip(), r.pmu(), r.type(), r.config()[0], r.config()[1], r.config()[2],
                r.config()[3], any && !user, any && !kernel, any && !hv, precise);
    }

    private static Map<String, Long> names(Object... pairs) {
        Map<String, Long> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(((String) pairs[i]).toLowerCase(Locale.ROOT), ((Number) pairs[i + 1]).longValue());
        }
        return m;
    }
}
