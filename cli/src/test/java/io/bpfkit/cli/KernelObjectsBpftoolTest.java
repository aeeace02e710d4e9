package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedMap;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Cpus;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code bpfkit prog|map|link show}, {@code list} and {@code map dump}, plain and JSON, against
 * bpftool on the same kernel objects: map_dump.bpf.o loaded by bpfkit, its maps filled with
 * known values, its programs attached by a raw tracepoint link, a perf_event (tracepoint) link
 * and a cgroup link. Compared with Debian's bpftool 7.1 ({@code /usr/sbin/bpftool}) and with
 * bpftool 7.5 ({@code bpfkit.bpftool75}, built by {@code scripts/kernel-source}), wherever each
 * is present (both are required where kernel tests are).
 *
 * <p>{@code map dump} output is compared byte for byte, JSON and text. For {@code show} and
 * {@code list} every member both print must be equal, and bpfkit must print every member
 * bpftool prints except those listed in {@link #BPFTOOL_ONLY}; what bpfkit prints beyond
 * bpftool 7.1 is listed in {@link #NEWER_THAN_7_1}.
 */
@KernelTest
class KernelObjectsBpftoolTest {
    /**
     * Members bpftool prints and bpfkit does not: {@code pids} (the processes holding the
     * object, which bpftool finds with a BPF task iterator of its own; here, this JVM),
     * {@code pinned} (only with bpftool's {@code -f}), {@code metadata} (a program's
     * {@code bpf_metadata_*} read-only globals).
     */
    static final Set<String> BPFTOOL_ONLY = Set.of("pids", "pinned", "metadata");

    /**
     * Members bpfkit prints that bpftool 7.1 does not: a perf_event link's target (the kernel
     * reports it since 6.6, bpftool prints it since 7.3) and a program's {@code orphaned}
     * (always false but for an offloaded program whose device is gone; bpftool 7.2+).
     */
    static final Set<String> NEWER_THAN_7_1 = Set.of("tracepoint", "cookie", "event_type", "event_config", "orphaned");

    record Bpftool(String version, Path path) {
    }

    private static LoadedObject obj;
    private static PinRoot pins;
    private static Path cgroup;
    private static final List<Link> links = new ArrayList<>();
    private static final Map<String, Integer> mapIds = new LinkedHashMap<>();
    private static final Map<String, Integer> progIds = new LinkedHashMap<>();
    private static final List<Integer> linkIds = new ArrayList<>();

    @BeforeAll
    static void loadFillAndAttach() throws Exception {
        pins = PinRoot.create("cli-objects");
        obj = BpfLoader.load(BpfObjects.open(TestObjects.path("map_dump.bpf.o")));
        for (Map.Entry<String, LoadedMap> m : obj.maps().entrySet()) {
            mapIds.put(m.getKey(), Bpf.mapInfo(m.getValue().fd()).id());
        }
        obj.programs().forEach((name, p) -> progIds.put(name, p.info().id()));
        fill();
        Bpf.objPin(obj.map("records").orElseThrow().fd(), pins.path().resolve("records").toString());
        Bpf.objPin(obj.program("raw_enter").orElseThrow().fd(), pins.path().resolve("raw_enter").toString());
        links.add(Attach.rawTracepoint(program("raw_enter"), "sys_enter"));
        links.add(Attach.tracepoint(program("count_getpid_with_a_long_name"), "syscalls", "sys_enter_getpid"));
        Path root = Path.of("/sys/fs/cgroup/unified");
        if (!Files.isRegularFile(root.resolve("cgroup.procs"))) {
            root = Path.of("/sys/fs/cgroup");
        }
        cgroup = Files.createDirectories(root.resolve("bpfkit-cli-objects-" + ProcessHandle.current().pid()));
        links.add(Attach.cgroup(program("sock_create"), cgroup));
        for (Link l : links) {
            if (l.isBpfLink()) {
                linkIds.add(l.info().id());
            }
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (Link l : links) {
            l.close();
        }
        if (obj != null) {
            obj.close();
        }
        if (pins != null) {
            pins.close();
        }
        if (cgroup != null) {
            Files.deleteIfExists(cgroup);
        }
    }

    private static BpfProgram program(String name) {
        return obj.program(name).orElseThrow();
    }

    /** Known values in every map, so that the dumps have something to decode. */
    private static void fill() {
        try (Arena arena = Arena.ofConfined()) {
            // records: struct pair {u32 a; u16 b;} -> struct record (layout in map_dump.bpf.c)
            put(arena, "records", pair(1, 2), record(4242, "java-test", 1, true, bits(1, 5, -3, 0xABCDE), 0x01020304,
                    new short[] {-7, 0, 300}, new byte[] {9, 8, 7}, (byte) -5, 123456789012L, 77, pair(5, 6)));
            put(arena, "records", pair(3, 4), record(1, "\u0001bad", 42, false, bits(0, 7, 15, 1), -1,
                    new short[3], new byte[3], (byte) 127, -1L, -1, pair(0, 0)));
            put(arena, "colors", u32(0), u32(1));
            put(arena, "colors", u32(1), u32(7));
            put(arena, "colors", u32(2), u32(42));
            int cpus = Cpus.possibleCount();
            ByteBuffer perCpu = le(8 * cpus);
            for (int cpu = 0; cpu < cpus; cpu++) {
                perCpu.position(8 * cpu);
                perCpu.put(bits(cpu & 1, cpu & 7, -cpu, 100 + cpu));
            }
            put(arena, "per_cpu", u32(1), perCpu.array());
            put(arena, "raw_hash", u32(0x01020304), new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
            ByteBuffer raw = le(8 * cpus);
            for (int cpu = 0; cpu < cpus; cpu++) {
                raw.putLong(0x1122334455667700L + cpu);
            }
            put(arena, "raw_pcpu", u32(7), raw.array());
            put(arena, "jumps", u32(1), u32(obj.program("count_getpid_with_a_long_name").orElseThrow().fd().get()));
        }
    }

    private static void put(Arena arena, String map, byte[] key, byte[] value) {
        MemorySegment k = arena.allocate(key.length);
        k.copyFrom(MemorySegment.ofArray(key));
        MemorySegment v = arena.allocate(value.length, 8);
        v.copyFrom(MemorySegment.ofArray(value));
        MapCalls.of(obj.map(map).orElseThrow().fd()).update(k, v, 0);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] u32(int v) {
        return le(4).putInt(v).array();
    }

    private static byte[] pair(int a, int b) {
        return le(8).putInt(a).putShort((short) b).array();
    }

    /** struct bits {ready:1, level:3, delta:5 (signed), wide:20}, 4 bytes. */
    private static byte[] bits(int ready, int level, int delta, int wide) {
        int word = (ready & 1) | (level & 7) << 1 | (delta & 0x1f) << 4 | (wide & 0xfffff) << 9;
        return le(4).putInt(word).array();
    }

    private static byte[] record(int pid, String comm, int color, boolean on, byte[] bits, int num, short[] temps,
                                 byte[] raw, byte tiny, long total, long big, byte[] inner) {
        ByteBuffer b = le(96);
        b.putInt(0, pid);
        byte[] c = comm.getBytes(StandardCharsets.ISO_8859_1);
        b.put(4, c, 0, c.length);
        b.putInt(20, color);
        b.put(24, (byte) (on ? 1 : 0));
        b.put(28, bits, 0, 4);
        b.putInt(32, num);
        for (int i = 0; i < 3; i++) {
            b.putShort(36 + 2 * i, temps[i]);
        }
        b.put(42, raw, 0, 3);
        b.put(45, tiny);
        b.putLong(48, total);
        b.putLong(64, big);
        b.putLong(72, big == -1 ? -1 : 0);
        b.put(80, inner, 0, 8);
        return b.array();
    }

    // ---------------------------------------------------------------- the bpftools

    static List<Bpftool> bpftools() {
        List<Bpftool> out = new ArrayList<>();
        Path debian = Tools.find("/usr/sbin/bpftool");
        Tools.assumePresent(debian != null, "bpftool is not installed (Debian: apt-get install bpftool)");
        out.add(new Bpftool("7.1", debian));
        String named = System.getProperty("bpfkit.bpftool75", System.getenv("BPFKIT_BPFTOOL75"));
        if (named != null && !named.isBlank() && Files.isExecutable(Path.of(named))) {
            out.add(new Bpftool("7.5", Path.of(named)));
        } else if (KernelTestExtension.required()) {
            fail("no bpftool 7.5 to compare with: set bpfkit.bpftool75 or BPFKIT_BPFTOOL75 to its path"
                    + " (scripts/test passes scripts/kernel-source --print-bpftool)");
        }
        return out;
    }

    private static String bpftool(Bpftool t, String... args) {
        List<String> cmd = new ArrayList<>(List.of(t.path().toString()));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.run(60, cmd.toArray(String[]::new));
        // bpftool's 'link show id N' ends with "return errno == ENOENT ? 0 : -1", errno being
        // whatever the last call left: it exits 255 after printing the link. Its error
        // messages go to stdout in JSON mode, to stderr otherwise; either way they fail below.
        boolean linkShow = List.of(args).contains("link") && List.of(args).contains("show");
        if (!(linkShow && r.stderr().isEmpty() && !r.out().contains("\"error\""))) {
            assertEquals(0, r.exitCode(), "bpftool " + t.version() + " " + List.of(args) + ": " + r.stderr() + r.out());
        }
        return r.out();
    }

    private static String bpfkit(String... args) {
        MainTest.Run r = MainTest.run(args);
        assertEquals(0, r.exit(), "bpfkit " + List.of(args) + ": " + r.err());
        assertEquals("", r.err());
        return r.out();
    }

    // ---------------------------------------------------------------- map dump

    @Test
    void mapDumpIsBpftoolsByteForByte() {
        for (Bpftool t : bpftools()) {
            for (Map.Entry<String, Integer> m : mapIds.entrySet()) {
                String id = Integer.toString(m.getValue());
                assertEquals(bpftool(t, "-j", "map", "dump", "id", id), bpfkit("map", "dump", id, "--json"),
                        "JSON dump of " + m.getKey() + " vs bpftool " + t.version());
                assertEquals(bpftool(t, "map", "dump", "id", id), bpfkit("map", "dump", id),
                        "dump of " + m.getKey() + " vs bpftool " + t.version());
            }
        }
    }

    @Test
    void mapDumpDecodesTheBtfOfTheValues() {
        Object dump = JsonValue.parse(bpfkit("map", "dump", pins.path().resolve("records").toString(), "--json"));
        Map<String, Object> first = null;
        for (Object e : JsonValue.array(dump)) {
            Map<String, Object> formatted = JsonValue.object(JsonValue.object(e).get("formatted"));
            if (JsonValue.object(formatted.get("key")).get("a").equals(BigDecimal.ONE)) {
                first = JsonValue.object(formatted.get("value"));
            }
        }
        assertNotNull(first, dump.toString());
        assertEquals("java-test", first.get("comm"));
        assertEquals("GREEN", first.get("color"));
        assertEquals(Boolean.TRUE, first.get("on"));
        assertEquals(Map.of("ready", "0x1", "level", "0x5", "delta", "0x1d", "wide", "0xabcde"), first.get("bits"));
        assertEquals(List.of(new BigDecimal(-7), BigDecimal.ZERO, new BigDecimal(300)), first.get("temps"));
        assertEquals(new BigDecimal("123456789012"), first.get("total"));
        assertEquals("0x4d", first.get("big"));
        String colors = bpfkit("map", "dump", mapIds.get("colors").toString(), "--json");
        assertTrue(colors.contains("\"formatted\":{\"key\":2,\"value\":42}"), colors);
        assertTrue(colors.contains("\"formatted\":{\"key\":1,\"value\":\"BLUE\"}"), colors);
    }

    @Test
    void aMapWithoutBtfDumpsAsHex() {
        String raw = bpfkit("map", "dump", mapIds.get("raw_hash").toString());
        assertEquals("key: 04 03 02 01  value: 00 01 02 03 04 05 06 07  08 09 0a 0b\nFound 1 element\n", raw);
        String perCpu = bpfkit("map", "dump", mapIds.get("raw_pcpu").toString());
        assertTrue(perCpu.startsWith("key:\n07 00 00 00\nvalue (CPU 00): 00 77 66 55 44 33 22 11\n"), perCpu);
        assertEquals(Cpus.possibleCount(), perCpu.lines().filter(l -> l.startsWith("value (CPU ")).count());
        String jumps = bpfkit("map", "dump", mapIds.get("jumps").toString(), "--json");
        assertEquals(1, JsonValue.array(JsonValue.parse(jumps)).size(), "the empty slot is left out: " + jumps);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badObjectsGiveOneClearLineAndExitOneWithoutLeakingDescriptors() throws Exception {
        long fdsBefore = openDescriptors();
        String pinnedProgram = pins.path().resolve("raw_enter").toString();
        assertFailure(1, "bpfkit map: " + pinnedProgram + " is not a map (what is pinned there is a program)",
                "map", "dump", pinnedProgram);
        assertFailure(1, "bpfkit map: there is no map with id 4294967295", "map", "show", "4294967295");
        assertFailure(1, "bpfkit prog: there is no program with id 4294967294", "prog", "show", "id", "4294967294");
        assertFailure(1, "bpfkit link: there is no link with id 4294967293", "link", "show", "4294967293");
        String missing = pins.path().resolve("no-such-pin").toString();
        assertFailure(1, "bpfkit map: nothing is pinned at " + missing, "map", "dump", "pinned", missing);
        assertFailure(1, "bpfkit map: /etc/hostname is not on a bpf file system: only a pinned map can be opened by"
                + " path", "map", "dump", "/etc/hostname");
        assertEquals(fdsBefore, openDescriptors(), "descriptors leaked by the failed commands");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertFailure(2, "bpfkit map: 'dump' needs an ID or a pinned path; usage: bpfkit map list|show", "map", "dump");
        assertFailure(2, "bpfkit prog: 'abc' is not an id (a number from 1) nor a path; usage: bpfkit prog", "prog",
                "show", "abc");
        assertFailure(2, "bpfkit link: unknown option --bogus; usage: bpfkit link", "link", "list", "--bogus");
        assertFailure(2, "bpfkit prog: usage: bpfkit prog list|show", "prog", "dump", "1");
    }

    @Test
    void withoutPrivilegeTheErrorSaysSo() throws Exception {
        Path setpriv = Tools.find("setpriv");
        Tools.assumePresent(setpriv != null, "setpriv is not installed (Debian: util-linux)");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // uid 0 without any capability: the kernel refuses BPF_*_GET_FD_BY_ID with EPERM
        Tools.Result r = Tools.run(120, setpriv.toString(), "--bounding-set=-all", "--inh-caps=-all",
                "--ambient-caps=-all", "--", java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "map", "show",
                mapIds.get("records").toString());
        assertEquals(1, r.exitCode(), r.out() + r.stderr());
        assertEquals("bpfkit map: map id " + mapIds.get("records") + ": permission denied: reading maps by id or"
                + " path needs root (CAP_SYS_ADMIN, or CAP_BPF for some)\n", r.stderr());
        assertEquals("", r.out());
    }

    private static void assertFailure(int exit, String errStart, String... args) {
        MainTest.Run r = MainTest.run(args);
        assertEquals(exit, r.exit(), List.of(args) + ": " + r.out() + r.err());
        assertTrue(r.err().startsWith(errStart), List.of(args) + ": " + r.err());
        if (exit == 1) {
            assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals("", r.out());
    }

    private static long openDescriptors() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    // ---------------------------------------------------------------- show and list

    @Test
    void showMatchesBpftoolForEveryMapProgramAndLink() {
        for (Bpftool t : bpftools()) {
            for (int id : mapIds.values()) {
                compare(t, "map", id);
            }
            for (int id : progIds.values()) {
                compare(t, "prog", id);
            }
            assertEquals(3, linkIds.size(), "raw_tp, perf_event and cgroup links: " + links);
            for (int id : linkIds) {
                compare(t, "link", id);
            }
        }
    }

    @Test
    void listHoldsTheSameObjectsAsBpftoolsList() {
        for (Bpftool t : bpftools()) {
            for (String kind : List.of("prog", "map", "link")) {
                Map<Object, Map<String, Object>> ours = byId(bpfkit(kind, "list", "--json"));
                Map<Object, Map<String, Object>> theirs = byId(bpftool(t, "-j", kind, "list"));
                Map<String, Integer> ids = kind.equals("prog") ? progIds : kind.equals("map") ? mapIds : null;
                for (int id : ids != null ? ids.values() : linkIds) {
                    BigDecimal key = new BigDecimal(id);
                    assertTrue(ours.containsKey(key), kind + " " + id + " missing from bpfkit's list");
                    Map<String, Object> listed = theirs.get(key);
                    if (listed != null && kind.equals("map") && !ours.get(key).containsKey("btf_id")) {
                        // bpftool's list reuses one bpf_map_info for every map, and the kernel
                        // copies the caller's struct in before filling it and sets btf_id only
                        // for a map with BTF: a map without BTF shows the previous map's btf_id.
                        listed = new LinkedHashMap<>(listed);
                        listed.remove("btf_id");
                    }
                    assertSameMembers(t, kind + " " + id + " in the list", listed, ours.get(key));
                }
            }
        }
    }

    @TestFactory
    DynamicTest aSockmapLinkShowsAsBpftoolShowsIt() {
        return KernelProbes.branch("a sockmap link in link show", KernelProbes.sockmapLink(), () -> {
            try (LoadedObject o = BpfLoader.load(BpfObjects.open(TestObjects.path("sockmap.bpf.o")));
                    BpfSockMap socks = BpfMaps.sockMap(o, "socks");
                    Link l = Attach.sockMap(o.program("on_msg").orElseThrow(), socks)) {
                int id = l.info().id();
                String ours = bpfkit("link", "show", Integer.toString(id));
                assertTrue(ours.contains(": sockmap  prog ") && ours.contains("\n\tmap_id " + socks.info().id()
                        + "  attach_type sk_msg_verdict  "), ours);
                for (Bpftool t : bpftools()) {
                    if (t.version().equals("7.1")) {
                        continue; // bpftool 7.1 predates sockmap links (Linux 6.10)
                    }
                    compare(t, "link", id);
                    String theirs = withoutPids(bpftool(t, "link", "show", "id", Integer.toString(id)));
                    assertEquals(maskLoadTime(theirs), maskLoadTime(ours), "link " + id + " vs bpftool " + t.version());
                }
            }
        }, () -> {
            // before 6.10 the program is attached to the map directly: no link to show
            try (LoadedObject o = BpfLoader.load(BpfObjects.open(TestObjects.path("sockmap.bpf.o")));
                    BpfSockMap socks = BpfMaps.sockMap(o, "socks");
                    Link l = Attach.sockMap(o.program("on_msg").orElseThrow(), socks)) {
                assertFalse(l.isBpfLink());
            }
        });
    }

    @Test
    void plainShowMatchesBpftoolsText() {
        for (Bpftool t : bpftools()) {
            for (String kind : List.of("prog", "map", "link")) {
                Map<String, Integer> ids = kind.equals("prog") ? progIds : kind.equals("map") ? mapIds : null;
                for (int id : ids != null ? ids.values() : linkIds) {
                    String theirs = withoutPids(bpftool(t, kind, "show", "id", Integer.toString(id)));
                    String ours = bpfkit(kind, "show", Integer.toString(id));
                    if (t.version().equals("7.1")) { // see NEWER_THAN_7_1
                        ours = ours.replaceAll("\n\t(tracepoint|event) [^\n]*", "");
                    }
                    assertEquals(maskLoadTime(theirs), maskLoadTime(ours), kind + " " + id + " vs bpftool " + t.version());
                }
            }
        }
    }

    /** bpftool's text without its {@code pids} line (see {@link #BPFTOOL_ONLY}). */
    private static String withoutPids(String s) {
        return s.replaceAll("\n\tpids [^\n]*", "");
    }

    private static String maskLoadTime(String s) {
        return s.replaceAll("loaded_at \\S+", "loaded_at T");
    }

    private static Map<Object, Map<String, Object>> byId(String json) {
        Map<Object, Map<String, Object>> out = new LinkedHashMap<>();
        for (Object o : JsonValue.array(JsonValue.parse(json))) {
            out.put(JsonValue.object(o).get("id"), JsonValue.object(o));
        }
        return out;
    }

    private static void compare(Bpftool t, String kind, int id) {
        String ours = bpfkit(kind, "show", Integer.toString(id), "--json");
        String theirs = bpftool(t, "-j", kind, "show", "id", Integer.toString(id));
        assertSameMembers(t, kind + " " + id, JsonValue.object(JsonValue.parse(theirs)),
                JsonValue.object(JsonValue.parse(ours)));
    }

    private static void assertSameMembers(Bpftool t, String what, Map<String, Object> theirs, Map<String, Object> ours) {
        assertNotNull(theirs, what + " missing from bpftool " + t.version() + "'s output");
        for (Map.Entry<String, Object> e : theirs.entrySet()) {
            String k = e.getKey();
            if (BPFTOOL_ONLY.contains(k)) {
                continue;
            }
            assertTrue(ours.containsKey(k), what + ": bpfkit lacks '" + k + "' that bpftool " + t.version()
                    + " prints: " + theirs + " vs " + ours);
            if (k.equals("loaded_at")) {
                long a = ((BigDecimal) e.getValue()).longValue();
                long b = ((BigDecimal) ours.get(k)).longValue();
                assertTrue(Math.abs(a - b) <= 1, what + ": loaded_at " + b + " vs bpftool's " + a);
            } else {
                assertEquals(e.getValue(), ours.get(k), what + ": '" + k + "' vs bpftool " + t.version());
            }
        }
        for (String k : ours.keySet()) {
            boolean explained = t.version().equals("7.1") && NEWER_THAN_7_1.contains(k);
            assertTrue(theirs.containsKey(k) || explained, what + ": bpfkit prints '" + k + "' that bpftool "
                    + t.version() + " does not: " + theirs + " vs " + ours);
        }
        assertFalse(ours.isEmpty());
    }
}
