package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.linker.BpfLinker;
import io.bpfkit.linker.LinkObjects;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.run.TestRun;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.Tools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bpfkit's static linker against {@code bpftool gen object} (Debian's bpftool, and bpftool 7.5
 * from {@code bpfkit.bpftool75} when set): the same inputs linked by both open with bpfkit to
 * the same programs, maps and instruction counts, have the same BTF modulo type ids, load with
 * libbpf to the same translated instructions as bpfkit loads them, and their programs return
 * the same values and leave the same map contents under {@code BPF_PROG_TEST_RUN}.
 */
@KernelTest
class LinkedObjectDifferentialTest {
    /** Definitions first, and externs first (link_b's extern map and global before link_a defines them). */
    private static final List<List<String>> ORDERS = List.of(
            List.of("link_a.bpf.o", "link_b.bpf.o", "link_c.bpf.o"),
            List.of("link_b.bpf.o", "link_a.bpf.o", "link_c.bpf.o"));
    private static final Map<String, Integer> EXPECTED_RETURNS = Map.of(
            "link_entry_a", 6 + 102 + 1000 + 7, "link_entry_b", 15 + 1000, "link_entry_c", 11 + 8);
    private static Path dumper;

    @TempDir
    static Path dir;

    @BeforeAll
    static void compileDumper() {
        dumper = Tools.compileAgainstLibbpf("libbpf_load_dump.c", dir);
    }

    static Stream<Arguments> bpftoolsAndOrders() {
        return bpftools().flatMap(tool -> ORDERS.stream().map(order -> Arguments.of(tool, order)));
    }

    static Stream<String> bpftools() {
        List<String> tools = new ArrayList<>();
        tools.add("/usr/sbin/bpftool");
        String v75 = System.getProperty("bpfkit.bpftool75");
        if (v75 == null || v75.isBlank()) {
            v75 = System.getenv("BPFKIT_BPFTOOL75");
        }
        if (v75 != null && !v75.isBlank()) {
            tools.add(v75);
        }
        return tools.stream();
    }

    private static Path bpftoolLinked(String bpftool, List<String> inputs) throws Exception {
        if (!Files.isExecutable(Path.of(bpftool))) {
            String why = bpftool + " is not installed (Debian: apt-get install bpftool)";
            if (KernelTestExtension.required()) {
                throw new AssertionError(why);
            }
            Assumptions.abort(why);
        }
        // the same file name as ours: libbpf and bpfkit name the data maps after it
        Path out = Files.createDirectories(dir.resolve("bpftool-" + Math.abs(bpftool.hashCode()))).resolve("linked.bpf.o");
        List<String> cmd = new ArrayList<>(List.of(bpftool, "gen", "object", out.toString()));
        for (String in : inputs) {
            cmd.add(LinkObjects.path(in).toString());
        }
        Tools.Result r = Tools.run(60, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.stderr());
        return out;
    }

    private static Path ours(List<String> inputs) throws Exception {
        Path out = Files.createDirectories(dir.resolve("bpfkit")).resolve("linked.bpf.o");
        Files.write(out, BpfLinker.link(LinkObjects.inputs(inputs.toArray(String[]::new))));
        return out;
    }

    @ParameterizedTest
    @MethodSource("bpftoolsAndOrders")
    void theSameProgramsMapsAndInstructionCountsAsBpftool(String bpftool, List<String> inputs) throws Exception {
        BpfObjectSpec theirs = BpfObjects.open(bpftoolLinked(bpftool, inputs));
        BpfObjectSpec mine = BpfObjects.open(ours(inputs));
        assertEquals(programs(theirs), programs(mine));
        assertEquals(maps(theirs), maps(mine));
        assertEquals(theirs.globals().stream().map(g -> g.section() + ":" + g.name() + "@" + g.offset()).sorted().toList(),
                mine.globals().stream().map(g -> g.section() + ":" + g.name() + "@" + g.offset()).sorted().toList());
    }

    private static Map<String, String> programs(BpfObjectSpec spec) {
        Map<String, String> m = new TreeMap<>();
        for (ProgramSpec p : spec.programs()) {
            m.put(p.name(), p.section() + "+" + p.sectionOffset() + " " + p.instructionCount() + " insns, "
                    + p.extInfo().funcInfo().size() + " func_info, " + p.extInfo().lineInfo().size() + " line_info");
        }
        return m;
    }

    private static Map<String, String> maps(BpfObjectSpec spec) {
        Map<String, String> m = new TreeMap<>();
        for (MapSpec s : spec.maps()) {
            m.put(s.name(), s.mapType() + " " + s.keySize() + "/" + s.valueSize() + " x" + s.maxEntries()
                    + (s.initialData() == null ? "" : " " + Arrays.toString(s.initialData())));
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("bpftoolsAndOrders")
    void theSameBtfModuloTypeIds(String bpftool, List<String> inputs) throws Exception {
        Path theirs = bpftoolLinked(bpftool, inputs);
        Path mine = ours(inputs);
        assertEquals(btfLines(bpftool, theirs), btfLines(bpftool, mine));
    }

    /** {@code bpftool btf dump file}, ids dropped, lines sorted. */
    private static List<String> btfLines(String bpftool, Path object) {
        Tools.Result r = Tools.run(60, bpftool, "btf", "dump", "file", object.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            lines.add(line.replaceFirst("^\\[\\d+\\] ", "").replaceAll("type_id=\\d+", "type_id=#"));
        }
        lines.sort(null);
        return lines;
    }

    @ParameterizedTest
    @MethodSource("bpftoolsAndOrders")
    void libbpfLoadsBothToTheInstructionsBpfkitLoads(String bpftool, List<String> inputs) throws Exception {
        Path theirs = bpftoolLinked(bpftool, inputs);
        Path mine = ours(inputs);
        try (PinRoot pinRoot = PinRoot.create("link")) {
            String libbpfTheirs = libbpf(theirs, pinRoot.path());
            String libbpfMine = libbpf(mine, pinRoot.path());
            assertFalse(libbpfMine.isEmpty());
            assertEquals(libbpfTheirs, libbpfMine, "libbpf loads both linked objects alike");
            StringBuilder bpfkit = new StringBuilder();
            try (LoadedObject obj = BpfLoader.load(BpfObjects.open(mine),
                    LoadOptions.defaults().withPinRoot(pinRoot.path()))) {
                for (LoadedProgram p : obj.programs().values()) {
                    bpfkit.append(XlatedText.of("prog", p, obj));
                }
            }
            assertEquals(libbpfMine, bpfkit.toString());
        }
    }

    private static String libbpf(Path object, Path pins) {
        Tools.Result r = Tools.run(120, dumper.toString(), object.toString(), pins.toString());
        assertEquals(0, r.exitCode(), "libbpf: " + r.out() + r.stderr());
        return r.out();
    }

    @ParameterizedTest
    @MethodSource("bpftoolsAndOrders")
    void programsBehaveAsTheBpftoolLinkedOnes(String bpftool, List<String> inputs) throws Exception {
        Map<String, String> theirs = runAll(bpftoolLinked(bpftool, inputs));
        Map<String, String> mine = runAll(ours(inputs));
        assertEquals(theirs, mine);
        EXPECTED_RETURNS.forEach((prog, ret) -> assertEquals("returns " + ret, mine.get(prog), prog));
    }

    /**
     * Linked in stages (link_b alone, its map and global left extern; then with link_a and
     * link_c), the programs behave as when linked at once; the extern-only stage itself does
     * not load, and the error names what is missing.
     */
    @org.junit.jupiter.api.Test
    void aStagedLinkBehavesAsOneLink() throws Exception {
        byte[] partialB = BpfLinker.link(LinkObjects.inputs("link_b.bpf.o"));
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class,
                () -> BpfLoader.load(BpfObjects.open(partialB, "partial_b.bpf.o")).close());
        assertTrue(e.getMessage().contains("link_counts") || e.getMessage().contains("link_total"), e.getMessage());
        List<BpfLinker.Input> staged = new ArrayList<>(LinkObjects.inputs("link_a.bpf.o"));
        staged.add(new BpfLinker.Input("partial_b.bpf.o", partialB));
        staged.addAll(LinkObjects.inputs("link_c.bpf.o"));
        Path inStages = Files.createDirectories(dir.resolve("staged")).resolve("linked.bpf.o");
        Files.write(inStages, BpfLinker.link(staged));
        assertEquals(runAll(ours(ORDERS.get(0))), runAll(inStages));
    }

    /** Each program run twice on a packet; then the map and the .bss as bytes. */
    private static Map<String, String> runAll(Path object) {
        Map<String, String> seen = new LinkedHashMap<>();
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(object)); Arena arena = Arena.ofConfined()) {
            for (String prog : List.of("link_entry_a", "link_entry_b", "link_entry_c")) {
                TestRun run = TestRun.of(obj.program(prog).orElseThrow()).data(new byte[64]);
                run.run();
                seen.put(prog, "returns " + run.run().returnValue());
            }
            for (int key = 0; key < 2; key++) {
                MemorySegment v = LoaderTest.value(obj, "link_counts", key, arena);
                seen.put("link_counts[" + key + "]", Long.toString(v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)));
            }
            String bss = obj.maps().keySet().stream().filter(n -> n.endsWith(".bss")).findFirst().orElseThrow();
            MemorySegment b = LoaderTest.value(obj, bss, 0, arena);
            seen.put(".bss", Arrays.toString(b.toArray(ValueLayout.JAVA_BYTE)));
        }
        assertEquals("2", seen.get("link_counts[0]"), "link_entry_a ran twice");
        assertEquals("2", seen.get("link_counts[1]"), "link_b's link_helper, called by link_entry_a, ran twice");
        return seen;
    }
}
