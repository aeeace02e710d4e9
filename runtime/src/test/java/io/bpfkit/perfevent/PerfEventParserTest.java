package io.bpfkit.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Event names as perf writes them, resolved against a sysfs PMU folder built by the test. */
class PerfEventParserTest {
    @TempDir
    static Path sysfs;
    static PerfEventParser parser;

    /** A core PMU as Intel's "cpu" looks, a dynamic msr PMU, and two PMUs sharing an event name. */
    @BeforeAll
    static void fakeSysfs() throws IOException {
        pmu("cpu", 4, "event", "config:0-7", "umask", "config:8-15", "cmask", "config:24-31", "inv", "config:23",
                "ldlat", "config1:0-15", "split", "config:0-3,32-35");
        Files.writeString(sysfs.resolve("cpu/events/mem-loads"), "event=0xcd,umask=0x1,ldlat=3\n");
        Files.writeString(sysfs.resolve("cpu/events/topdown-total-slots"), "event=0x00,umask=0x4\n");
        pmu("msr", 9, "event", "config:0-63");
        Files.writeString(sysfs.resolve("msr/events/tsc"), "event=0x00\n");
        pmu("uncore_a", 17, "event", "config:0-7");
        pmu("uncore_b", 18, "event", "config:0-7");
        Files.writeString(sysfs.resolve("uncore_a/events/clockticks"), "event=0xff\n");
        Files.writeString(sysfs.resolve("uncore_b/events/clockticks"), "event=0xfe\n");
        parser = new PerfEventParser(sysfs);
    }

    private static void pmu(String name, int type, String... formats) throws IOException {
        Path dir = sysfs.resolve(name);
        Files.createDirectories(dir.resolve("format"));
        Files.createDirectories(dir.resolve("events"));
        Files.writeString(dir.resolve("type"), type + "\n");
        for (int i = 0; i < formats.length; i += 2) {
            Files.writeString(dir.resolve("format").resolve(formats[i]), formats[i + 1] + "\n");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "cycles, 0, 0", "cpu-cycles, 0, 0", "instructions, 0, 1", "cache-references, 0, 2", "cache-misses, 0, 3",
        "branches, 0, 4", "branch-instructions, 0, 4", "branch-misses, 0, 5", "bus-cycles, 0, 6",
        "stalled-cycles-frontend, 0, 7", "stalled-cycles-backend, 0, 8", "ref-cycles, 0, 9",
        "cpu-clock, 1, 0", "task-clock, 1, 1", "page-faults, 1, 2", "faults, 1, 2", "context-switches, 1, 3",
        "cs, 1, 3", "cpu-migrations, 1, 4", "minor-faults, 1, 5", "major-faults, 1, 6",
        // cache: id | op << 8 | result << 16
        "L1-dcache-loads, 3, 0x0", "L1-dcache-load-misses, 3, 0x10000", "L1-dcache-stores, 3, 0x100",
        "L1-dcache-store-misses, 3, 0x10100", "L1-dcache-prefetches, 3, 0x200", "L1-icache-load-misses, 3, 0x10001",
        "LLC-loads, 3, 0x2", "LLC-load-misses, 3, 0x10002", "LLC-stores, 3, 0x102", "dTLB-loads, 3, 0x3",
        "dTLB-load-misses, 3, 0x10003", "iTLB-load-misses, 3, 0x10004", "branch-loads, 3, 0x5",
        "branch-load-misses, 3, 0x10005", "node-loads, 3, 0x6", "node-load-misses, 3, 0x10006",
        "r01c2, 4, 0x1c2", "rFF, 4, 0xff", "r1234567890abcdef, 4, 0x1234567890abcdef",
    })
    void builtInEvents(String text, int type, String config) {
        PerfEventSpec e = parser.parse(text);
        assertEquals(type, e.type(), text);
        assertEquals(Long.decode(config).longValue(), e.config(), text);
        assertFalse(e.excludeUser() || e.excludeKernel() || e.excludeHv(), text);
        assertEquals(text, e.text());
    }

    @Test
    void hardwareKindsNeedAPmuAndSoftwareDoesNot() {
        assertTrue(parser.parse("cycles").needsHardwarePmu());
        assertTrue(parser.parse("LLC-loads").needsHardwarePmu());
        assertTrue(parser.parse("r01c2").needsHardwarePmu());
        assertFalse(parser.parse("cpu-clock").needsHardwarePmu());
        assertFalse(parser.parse("msr/tsc/").needsHardwarePmu());
    }

    @Test
    void modifiersCountOnlyTheLevelsNamed() {
        PerfEventSpec u = parser.parse("cycles:u");
        assertFalse(u.excludeUser());
        assertTrue(u.excludeKernel());
        assertTrue(u.excludeHv());
        PerfEventSpec k = parser.parse("instructions:k");
        assertTrue(k.excludeUser());
        assertFalse(k.excludeKernel());
        PerfEventSpec uk = parser.parse("cycles:uk");
        assertFalse(uk.excludeUser() || uk.excludeKernel());
        assertTrue(uk.excludeHv());
        assertEquals(2, parser.parse("cycles:upp").preciseIp());
        PerfEventSpec sysfsU = parser.parse("cpu/event=0x3c/:u");
        assertTrue(sysfsU.excludeKernel());
        assertEquals(0x3c, sysfsU.config());
        LoadException bad = assertThrows(LoadException.class, () -> parser.parse("cycles:x"));
        assertTrue(bad.getMessage().contains("unknown modifier 'x'"), bad.getMessage());
        assertThrows(LoadException.class, () -> parser.parse("cycles:pppp"));
    }

    @Test
    void sysfsTermsAreMappedThroughFormatFiles() {
        PerfEventSpec e = parser.parse("cpu/event=0x2e,umask=0x41,cmask=2,inv/");
        assertEquals(4, e.type());
        assertEquals("cpu", e.pmu());
        assertEquals(0x2eL | 0x41L << 8 | 1L << 23 | 2L << 24, e.config());
        PerfEventSpec split = parser.parse("cpu/split=0xab/");
        assertEquals(0xbL | 0xaL << 32, split.config(), "low nibble to bits 0-3, the next to 32-35");
        PerfEventSpec direct = parser.parse("cpu/config=0x1234,config1=7,config2=0x10/");
        assertEquals(0x1234, direct.config());
        assertEquals(7, direct.config1());
        assertEquals(0x10, direct.config2());
    }

    @Test
    void namedSysfsEventsExpandToTheirTerms() {
        PerfEventSpec loads = parser.parse("cpu/mem-loads/");
        assertEquals(0xcdL | 1L << 8, loads.config());
        assertEquals(3, loads.config1(), "ldlat lives in config1");
        PerfEventSpec tsc = parser.parse("msr/tsc/");
        assertEquals(9, tsc.type(), "the dynamic type from msr/type");
        assertEquals(0, tsc.config());
        assertEquals(9, parser.parse("tsc").type(), "a bare name one PMU defines");
        PerfEventSpec mixed = parser.parse("cpu/topdown-total-slots,cmask=1/");
        assertEquals(4L << 8 | 1L << 24, mixed.config());
    }

    @Test
    void errorsNameWhatIsWrong() {
        assertMessage("perf event 'cyclez': unknown event", "cyclez");
        assertMessage("no PMU 'nope'", "nope/event=1/");
        assertMessage("has no term or event 'bogus'", "cpu/bogus=1/");
        assertMessage("does not fit its bits", "cpu/event=0x100/");
        assertMessage("needs a number", "cpu/event=zz/");
        assertMessage("several PMUs [uncore_a, uncore_b]", "clockticks");
        assertMessage("expected pmu/terms/", "cpu/event=1");
        assertEquals("empty perf event name", assertThrows(IllegalArgumentException.class,
                () -> parser.parse(" ")).getMessage(), "no name at all: an argument error");
        assertMessage("bad PMU name", "../x/event=1/");
        assertMessage("has no term or event '..'", "cpu/../");
    }

    private static void assertMessage(String expected, String text) {
        LoadException e = assertThrows(LoadException.class, () -> parser.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void offlineResolvesBuiltInNamesAndLeavesSysfsNamesToTheMachine() {
        for (String builtIn : new String[] {"cycles", "instructions:u", "cache-misses", "r003c", "cs:k",
                "L1-dcache-load-misses", "LLC-loads", "task-clock"}) {
            assertEquals(java.util.Optional.of(parser.parse(builtIn)), PerfEventParser.parseOffline(builtIn), builtIn);
        }
        for (String sysfsOnly : new String[] {"cpu/event=0x3c/", "cpu/event=0x3c,umask=0x00/:u", "msr/tsc/", "tsc",
                "mem-loads", "cycles-t", "topdown-total-slots"}) {
            assertTrue(PerfEventParser.parseOffline(sysfsOnly).isEmpty(), sysfsOnly);
        }
    }

    @Test
    void offlineRefusesMisspellingsBadModifiersAndMalformedPmuEvents() {
        LoadException typo = assertThrows(LoadException.class,
                () -> PerfEventParser.parseOffline("cylces"));
        assertTrue(typo.getMessage().startsWith("perf event 'cylces': unknown event: did you mean 'cycles'? Built-in "
                + "events: hardware [branch-instructions, branch-misses, branches, "), typo.getMessage());
        assertTrue(typo.getMessage().contains("software [alignment-faults, bpf-output, cgroup-switches, context-switches, "),
                typo.getMessage());
        assertTrue(assertThrows(LoadException.class, () -> PerfEventParser.parseOffline("instructons"))
                .getMessage().contains("did you mean 'instructions'?"));
        assertTrue(assertThrows(LoadException.class, () -> PerfEventParser.parseOffline("cpu-clok:u"))
                .getMessage().contains("did you mean 'cpu-clock'?"));
        assertEquals("perf event 'cycles:x': unknown modifier 'x' (bpfkit knows u, k, h and p)",
                assertThrows(LoadException.class, () -> PerfEventParser.parseOffline("cycles:x"))
                        .getMessage());
        assertEquals("perf event 'cpu/event=0x3c': expected pmu/terms/, e.g. cpu/event=0x3c/",
                assertThrows(LoadException.class, () -> PerfEventParser.parseOffline("cpu/event=0x3c"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> PerfEventParser.parseOffline(" ")); // no name at all
    }

    @Test
    void formatBitsAcrossSeveralRanges() {
        long[] config = new long[4];
        PerfEventParser.placeBits("t", "x", "config2:0-1,8-9,63", 0b11111, config);
        assertEquals(0b11L | 0b11L << 8 | 1L << 63, config[2]);
        assertThrows(LoadException.class,
                () -> PerfEventParser.placeBits("t", "x", "config:0-64", 1, new long[4]));
        assertThrows(LoadException.class,
                () -> PerfEventParser.placeBits("t", "x", "period:0-3", 1, new long[4]));
    }
}
