package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Our dump against bpftool's, line for line: the kernel's BTF, the build's test objects, and
 * objects compiled here from {@link TestSnippets}. Skips (with the reason) only where bpftool,
 * clang or the kernel's BTF is missing, and fails instead where tests are required.
 */
class BtfDumpDifferentialTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    @Test
    void vmlinuxDumpIsBpftools() throws Exception {
        Path bpftool = TestTools.requireBpftool();
        TestTools.requireVmlinuxBtf();
        byte[] expected = TestTools.run(List.of(bpftool.toString(), "btf", "dump", "file", VMLINUX.toString()));

        byte[] raw = Files.readAllBytes(VMLINUX);
        long t0 = System.nanoTime();
        Btf btf = Btf.parse(MemorySegment.ofArray(raw));
        long t1 = System.nanoTime();
        byte[] actual = BtfDump.dumpBytes(btf);
        long t2 = System.nanoTime();
        System.out.printf("vmlinux: %d types, parse %.1f ms, dump %.1f ms (cold JIT)%n", btf.typeCount(),
                (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        TestTools.assertSameLines(expected, actual, VMLINUX.toString());
    }

    @TestFactory
    List<DynamicTest> buildTestObjectsDumpAsBpftool() {
        return TestTools.testObjects().stream().map(o -> DynamicTest.dynamicTest(o.getFileName().toString(), () -> assertObject(o)))
                .toList();
    }

    @TestFactory
    List<DynamicTest> compiledSnippetsDumpAsBpftool() {
        List<DynamicTest> tests = new ArrayList<>();
        String[][] snippets = {{"all_kinds", TestSnippets.ALL_KINDS}, {"more", TestSnippets.MORE}};
        for (String[] s : snippets) {
            for (String target : List.of("bpfel", "bpfeb")) {
                tests.add(DynamicTest.dynamicTest(s[0] + "." + target,
                        () -> assertObject(TestTools.compiled(s[0], s[1], target))));
            }
        }
        return tests;
    }

    /** An ELF object's .BTF, dumped by us and by bpftool (which reads the ELF itself). */
    private static void assertObject(Path object) throws Exception {
        Path bpftool = TestTools.requireBpftool();
        Optional<MemorySegment> section = TestTools.elfSection(Files.readAllBytes(object), ".BTF");
        assertTrue(section.isPresent(), object + " has no .BTF section (the build compiles every object with -g)");
        byte[] expected = TestTools.run(List.of(bpftool.toString(), "btf", "dump", "file", object.toString()));
        Btf btf = Btf.parse(section.get());
        TestTools.assertSameLines(expected, BtfDump.dumpBytes(btf), object.toString());
        assertTrue(btf.typeCount() > 1, "an object with BTF has types");
    }
}
