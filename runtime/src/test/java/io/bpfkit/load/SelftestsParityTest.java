package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.load.SelftestsParity.Difference;
import io.bpfkit.load.SelftestsParity.Outcome;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bpfkit against libbpf on a fixed subset of the kernel's BPF selftests
 * (src/test/resources/selftests-subset.txt: a few dozen objects covering kfuncs with
 * obj_new/kptr/rbtree/list, local storage, {@code .bss.NAME} sections, callbacks, exceptions,
 * tail calls from subprograms, global functions and classic programs). Each object, as built
 * by {@code scripts/selftests --subset --build-only} (which scripts/test runs), is opened and
 * loaded by libbpf (selftests_libbpf.c on the kernel tree's libbpf) and by bpfkit; bpfkit must
 * open and load what libbpf does, with the same programs and maps, the same kernel view of
 * them (BTF, func and line info, map attributes) and the same translated instructions.
 * Where both fail, the causes may differ (reported by scripts/selftests, not failed here).
 */
@KernelTest
class SelftestsParityTest {
    private static Path objects;
    private static Path harness;

    @BeforeAll
    static void findCorpus() throws IOException {
        Path dir = Path.of(System.getProperty("bpfkit.selftests", "../target/selftests"));
        objects = dir.resolve("bpftool");
        harness = dir.resolve("bin").resolve("selftests_libbpf");
        List<String> missing = new ArrayList<>();
        for (String name : subset()) {
            if (!Files.exists(objects.resolve("log").resolve(name + ".status"))) {
                missing.add(name);
            }
        }
        if (!Files.isExecutable(harness) || !missing.isEmpty()) {
            String why = "the selftests subset is not built under " + dir + " (missing: "
                    + (Files.isExecutable(harness) ? "" : "the libbpf harness, ") + missing
                    + "): run scripts/selftests --subset --build-only (scripts/test does)";
            if (KernelTestExtension.required()) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    /** The names in selftests-subset.txt, comments and blank lines left out. */
    static List<String> subset() throws IOException {
        try (InputStream in = Objects.requireNonNull(
                SelftestsParityTest.class.getResourceAsStream("/selftests-subset.txt"), "selftests-subset.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty())
                    .map(l -> l.split("\\s+")[0]).toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subset")
    void bpfkitOpensAndLoadsAsLibbpfDoes(String name) throws IOException {
        String status = Files.readString(objects.resolve("log").resolve(name + ".status")).strip();
        assertTrue(status.startsWith("ok"), () -> name + " did not compile: " + firstError(name));
        Path object = objects.resolve("obj").resolve(name + ".bpf.o");

        Outcome libbpf;
        try (PinRoot pins = PinRoot.create("selftests-libbpf")) {
            Tools.Result r = Tools.run(300, harness.toString(), "-x", object.toString(), pins.path().toString());
            assertEquals(0, r.exitCode(), () -> "selftests_libbpf " + name + ": " + r.stderr());
            libbpf = Outcome.parse(r.out());
        }
        // Every object of the subset opens with libbpf on any kernel: a harness that opens
        // nothing would make every comparison below pass.
        assertTrue(libbpf.opened(), () -> "libbpf does not open " + name + ": " + libbpf.why());

        Outcome bpfkit;
        try (PinRoot pins = PinRoot.create("selftests-bpfkit")) {
            bpfkit = Outcome.parse(SelftestsParity.describe(object, pins.path(), true));
        }
        List<Difference> serious = SelftestsParity.compare(libbpf, bpfkit).stream().filter(Difference::serious)
                .toList();
        if (!serious.isEmpty()) {
            List<String> lines = new ArrayList<>(serious.stream().map(Difference::toString).toList());
            bpfkit.warnings().forEach(w -> lines.add("bpfkit warned: " + w));
            fail(name + ": libbpf " + libbpf.summary() + ", bpfkit " + bpfkit.summary() + "\n  "
                    + String.join("\n  ", lines));
        }
    }

    private static String firstError(String name) {
        try {
            return Files.readAllLines(objects.resolve("log").resolve(name + ".log")).stream()
                    .filter(l -> l.contains("error:")).findFirst().orElse("(no error in the log)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
