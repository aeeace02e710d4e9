package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load phase against libbpf's: every program of a test object, loaded by bpfkit and by
 * Debian's libbpf, has the same translated instructions in the kernel
 * ({@code BPF_OBJ_GET_INFO_BY_FD}), map references named rather than numbered.
 */
@KernelTest
class LibbpfLoadDifferentialTest {
    private static Path dumper;

    @BeforeAll
    static void compileDumper(@TempDir Path tmp) {
        dumper = Tools.compileAgainstLibbpf("libbpf_load_dump.c", tmp);
        Assumptions.assumeTrue(dumper != null, "gcc or libbpf-dev is not installed");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "globals.bpf.o|",
        "programs.bpf.o|dump_task",
        "programs_net.bpf.o|",
        "tailcall.bpf.o|",
        "maps_btf.bpf.o|",
        "kprobe.bpf.o|",
        "verifier_reject.bpf.o|unchecked",
        "core.bpf.o|",
        "externs.bpf.o|",
        "core_heavy.bpf.o|",
        "externs_missing.bpf.o|",
        "kconfig_types.bpf.o|",
    })
    void sameTranslatedInstructionsAsLibbpf(String object, String skip) throws IOException {
        List<String> skipped = skip == null ? List.of() : List.of(skip.split(" "));
        try (PinRoot pinRoot = PinRoot.create("diff")) {
            Path pins = pinRoot.path();
            List<String> cmd = new ArrayList<>(List.of(dumper.toString(), TestObjects.path(object).toString(),
                    pins.toString()));
            cmd.addAll(skipped);
            Tools.Result r = Tools.run(120, cmd.toArray(String[]::new));
            assertEquals(0, r.exitCode(), "libbpf: " + r.out() + r.stderr());
            String expected = r.out();

            BpfObjectSpec spec = BpfObjects.open(TestObjects.path(object));
            skipped.forEach(name -> spec.program(name).orElseThrow().autoload(false));
            StringBuilder actual = new StringBuilder();
            try (LoadedObject obj = BpfLoader.load(spec, LoadOptions.defaults().withPinRoot(pins))) {
                for (LoadedProgram p : obj.programs().values()) {
                    actual.append(XlatedText.of("prog", p));
                }
            }
            assertFalse(expected.isEmpty());
            assertEquals(expected, actual.toString(), object);
        }
    }
}
