package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The open phase against libbpf's: for every test object libbpf accepts, the same programs
 * (name, section, type, expected attach type, instruction count, autoload) and the same maps
 * (name, type, sizes, max entries, flags, numa node, map_extra), in the same order, as Debian's
 * libbpf reports after {@code bpf_object__open_file}.
 */
class LibbpfOpenDifferentialTest {
    /** Sections newer than the libbpf on the machine (1.1), which it leaves as unknown. */
    private static final Set<String> NEWER_THAN_LIBBPF_1_1 = Set.of("tcx/ingress", "tcx/egress", "tc/ingress",
            "tc/egress", "netkit/primary", "netkit/peer", "uprobe.multi", "uretprobe.multi",
            "kprobe.session/do_unlinkat");

    private static Path dumper;

    @BeforeAll
    static void compileDumper(@TempDir Path tmp) {
        dumper = Tools.compileAgainstLibbpf("libbpf_open_dump.c", tmp);
        Assumptions.assumeTrue(dumper != null, "gcc or libbpf-dev is not installed");
    }

    static Stream<Path> objects() {
        // libbpf 1.x refuses legacy "maps" sections; libbpf cannot open big-endian objects on this host.
        return TestObjects.all().stream().filter(p -> !p.getFileName().toString().equals("maps_legacy.bpf.o")
                && !p.getFileName().toString().endsWith(".bpfeb.o"));
    }

    @ParameterizedTest
    @MethodSource("objects")
    void sameProgramsAndMapsAsLibbpf(Path object) {
        Tools.Result r = Tools.run(60, dumper.toString(), object.toString());
        assertEquals(0, r.exitCode(), "libbpf could not open " + object + ": " + r.out() + r.stderr());
        List<String> expected = r.out().lines().toList();
        BpfObjectSpec spec = BpfObjects.open(object);
        List<String> actual = new ArrayList<>();
        actual.add("object " + spec.name());
        for (int i = 0; i < spec.programs().size(); i++) {
            ProgramSpec p = spec.programs().get(i);
            if (p.isSubprogram()) {
                continue;
            }
            if (NEWER_THAN_LIBBPF_1_1.contains(p.section())) {
                assertTrue(p.sectionDef().known(), p.section());
                actual.add("prog " + p.name() + " " + p.section() + " 0 0 " + p.instructionCount() + " 1");
                continue;
            }
            actual.add("prog " + p.name() + " " + p.section() + " " + p.type().value() + " "
                    + (p.expectedAttachType() == null ? 0 : p.expectedAttachType().value()) + " "
                    + p.instructionCount() + " " + (p.autoload() ? 1 : 0));
        }
        for (MapSpec m : spec.maps()) {
            actual.add("map " + m.name() + " " + m.type() + " " + m.keySize() + " " + m.valueSize() + " "
                    + m.maxEntries() + " " + m.flags() + " " + m.numaNode() + " " + m.mapExtra());
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual), "open of " + object.getFileName());
        assertFalse(expected.isEmpty());
    }
}
