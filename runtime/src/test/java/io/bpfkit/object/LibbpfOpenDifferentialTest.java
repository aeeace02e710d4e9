package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The open phase against libbpf's: for every test object libbpf accepts, the same programs
 * (name, section, type, expected attach type, instruction count, autoload) and the same maps
 * (name, type, sizes, max entries, flags, numa node, map_extra), in the same order, as the
 * installed libbpf reports after {@code bpf_object__open_file}.
 *
 * <p>Programs in sections newer than the installed libbpf (Debian 12 has 1.1), which it opens
 * as unknown (type 0, attach type 0), are not compared with it: libbpf's line for them must
 * show exactly that ignorance, their other fields are compared, and their type and attach type
 * are checked against {@link #NEWER_SECTIONS}, which says where each value comes from. A libbpf
 * that knows the section is compared with in full.
 */
class LibbpfOpenDifferentialTest {
    /** The program type and expected attach type of a section, by their UAPI names and values. */
    private record Kind(String type, int typeValue, String attachType, int attachValue, String since) {
    }

    /**
     * Sections libbpf 1.1 does not know, with what the kernel UAPI and the libbpf release that
     * added the name ({@code SEC_DEF} in libbpf.c) say they are.
     */
    private static final Map<String, Kind> NEWER_SECTIONS = Map.of(
            "tcx/ingress", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_TCX_INGRESS", 46, "libbpf 1.3, Linux 6.6"),
            "tcx/egress", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_TCX_EGRESS", 47, "libbpf 1.3, Linux 6.6"),
            "tc/ingress", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_TCX_INGRESS", 46, "libbpf 1.3 (alias of tcx/ingress)"),
            "tc/egress", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_TCX_EGRESS", 47, "libbpf 1.3 (alias of tcx/egress)"),
            "netkit/primary", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_NETKIT_PRIMARY", 54, "libbpf 1.3, Linux 6.7"),
            "netkit/peer", new Kind("BPF_PROG_TYPE_SCHED_CLS", 3, "BPF_NETKIT_PEER", 55, "libbpf 1.3, Linux 6.7"),
            "uprobe.multi", new Kind("BPF_PROG_TYPE_KPROBE", 2, "BPF_TRACE_UPROBE_MULTI", 48, "libbpf 1.2, Linux 6.6"),
            "uretprobe.multi", new Kind("BPF_PROG_TYPE_KPROBE", 2, "BPF_TRACE_UPROBE_MULTI", 48, "libbpf 1.2, Linux 6.6"));

    private static Path dumper;

    @BeforeAll
    static void compileDumper(@TempDir Path tmp) {
        dumper = Tools.compileAgainstLibbpf("libbpf_open_dump.c", tmp);
        Tools.assumePresent(dumper != null, "gcc or libbpf-dev is not installed (Debian: apt-get install gcc libbpf-dev)");
    }

    static Stream<Path> objects() {
        // libbpf 1.x refuses legacy "maps" sections; libbpf cannot open big-endian objects on this host;
        // Debian's libbpf 1.1 predates __ulong() map fields (an enum of one value, libbpf 1.4).
        return TestObjects.all().stream().filter(p -> !p.getFileName().toString().equals("maps_legacy.bpf.o")
                && !p.getFileName().toString().equals("map_extra.bpf.o")
                && !p.getFileName().toString().endsWith(".bpfeb.o"));
    }

    @ParameterizedTest
    @MethodSource("objects")
    void sameProgramsAndMapsAsLibbpf(Path object) {
        Tools.Result r = Tools.run(60, dumper.toString(), object.toString());
        assertEquals(0, r.exitCode(), "libbpf could not open " + object + ": " + r.out() + r.stderr());
        String libbpf = r.stderr().strip();
        List<String> expected = new ArrayList<>(r.out().lines().toList());
        BpfObjectSpec spec = BpfObjects.open(object);
        List<String> actual = new ArrayList<>();
        List<String> notCompared = new ArrayList<>();
        actual.add("object " + spec.name());
        for (int i = 0; i < spec.programs().size(); i++) {
            ProgramSpec p = spec.programs().get(i);
            if (p.isSubprogram()) {
                continue;
            }
            String ours = "prog " + p.name() + " " + p.section() + " " + p.type().value() + " "
                    + (p.expectedAttachType() == null ? 0 : p.expectedAttachType().value()) + " "
                    + p.instructionCount() + " " + (p.autoload() ? 1 : 0);
            Kind newer = NEWER_SECTIONS.get(p.section());
            int at = actual.size();
            String theirs = at < expected.size() ? expected.get(at) : "(none)";
            String unknownToLibbpf = "prog " + p.name() + " " + p.section() + " 0 0 " + p.instructionCount() + " "
                    + (p.autoload() ? 1 : 0);
            if (newer != null && theirs.equals(unknownToLibbpf)) {
                // This libbpf opens the section as unknown: check ours against the UAPI values
                // instead, and take libbpf's line (which matched in everything else) out of the
                // comparison.
                assertTrue(p.sectionDef().known(), p.section());
                assertEquals(newer.typeValue(), p.type().value(), p.name() + " in " + p.section() + ": " + newer.type());
                assertEquals(newer.attachValue(), p.expectedAttachType().value(),
                        p.name() + " in " + p.section() + ": " + newer.attachType());
                expected.remove(at);
                notCompared.add(p.section() + " (" + newer.since() + ")");
                continue;
            }
            actual.add(ours);
        }
        for (MapSpec m : spec.maps()) {
            actual.add("map " + m.name() + " " + m.type() + " " + m.keySize() + " " + m.valueSize() + " "
                    + m.maxEntries() + " " + m.flags() + " " + m.numaNode() + " " + m.mapExtra());
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual), "open of " + object.getFileName());
        assertFalse(expected.isEmpty());
        if (!notCompared.isEmpty()) {
            System.out.println("LibbpfOpenDifferentialTest: " + object.getFileName() + ": " + notCompared.size()
                    + " programs in sections " + libbpf + " opens as unknown, checked against the UAPI instead: "
                    + notCompared);
        }
    }
}
