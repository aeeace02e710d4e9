package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>libbpf is the current one built from the kernel tree ({@code scripts/kernel-source},
 * linked statically; see {@link Tools#compileAgainstLibbpf}), which knows every section the
 * test objects use (tcx/, netkit/, uprobe.multi, ...): every program is compared.
 */
class LibbpfOpenDifferentialTest {
    private static Path dumper;

    @BeforeAll
    static void compileDumper(@TempDir Path tmp) {
        dumper = Tools.compileAgainstLibbpf("libbpf_open_dump.c", tmp);
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
        List<String> expected = new ArrayList<>(r.out().lines().toList());
        BpfObjectSpec spec = BpfObjects.open(object);
        List<String> actual = new ArrayList<>();
        actual.add("object " + spec.name());
        for (int i = 0; i < spec.programs().size(); i++) {
            ProgramSpec p = spec.programs().get(i);
            if (p.isSubprogram()) {
                continue;
            }
            String ours = "prog " + p.name() + " " + p.section() + " " + p.type().value() + " "
                    + (p.expectedAttachType() == null ? 0 : p.expectedAttachType().value()) + " "
                    + p.instructionCount() + " " + (p.autoload() ? 1 : 0);
            actual.add(ours);
        }
        for (MapSpec m : spec.maps()) {
            actual.add("map " + m.name() + " " + m.type() + " " + m.keySize() + " " + m.valueSize() + " "
                    + m.maxEntries() + " " + m.flags() + " " + m.numaNode() + " " + m.mapExtra());
        }
        assertEquals(String.join("\n", expected), String.join("\n", actual), "open of " + object.getFileName());
        assertFalse(expected.isEmpty());
    }
}
