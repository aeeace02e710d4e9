package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bpfkit.testing.KernelTestExtension;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kfunc prototypes against bpftool 7.5's, the first bpftool that writes them (Debian ships
 * 7.1). The bpftool to compare with is named by the system property {@code bpfkit.bpftool75}
 * or the environment variable {@code BPFKIT_BPFTOOL75} (a path, e.g. one built from Debian's
 * {@code linux-source-6.12}). Without either, the test is skipped; when one is set and names no
 * bpftool 7.5 or later, it fails where kernel tests are required, so a broken build of it
 * cannot pass as a skip.
 *
 * <p>The only difference allowed is how a type tag with the kind flag set is written: bpfkit
 * writes the kernel's {@code address_space(1)} tags as the attribute they stand for, libbpf 1.5
 * (bpftool 7.5) as {@code btf_type_tag("address_space(1)")}: another pointer type to clang, so
 * that a program declaring the arena kfuncs as the selftests' {@code bpf_arena_common.h} does
 * (with {@code address_space(1)}) conflicts with bpftool's prototypes but not with ours.
 */
class KfuncPrototypesBpftool75Test {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private Path bpftool;

    @TempDir
    Path dir;

    /** Per test, not once per class, so that a skip is reported as each test skipped. */
    @BeforeEach
    void findBpftool75() throws Exception {
        String named = System.getProperty("bpfkit.bpftool75");
        if (named == null || named.isBlank()) {
            named = System.getenv("BPFKIT_BPFTOOL75");
        }
        io.bpfkit.testing.Tools.assumePresent(named != null && !named.isBlank(),
                "no bpftool 7.5 to compare with: set bpfkit.bpftool75 or BPFKIT_BPFTOOL75 to its path"
                + " (scripts/test passes scripts/kernel-source --print-bpftool)");
        Path p = Path.of(named);
        String problem = null;
        if (!Files.isExecutable(p)) {
            problem = p + " (bpfkit.bpftool75 / BPFKIT_BPFTOOL75) is not an executable file";
        } else if (!TestTools.bpftoolHasKfuncPrototypes(p)) {
            int[] v = TestTools.bpftoolVersion(p);
            problem = p + " is bpftool " + v[0] + "." + v[1] + ", which writes no kfunc prototypes; 7.5 or later is needed";
        }
        if (problem != null) {
            if (KernelTestExtension.required()) {
                fail(problem);
            }
            Assumptions.abort(problem);
        }
        bpftool = p;
    }

    /** The extern lines of a header's kfunc block, in order. */
    private static List<String> prototypes(String header, String whose) {
        int start = header.indexOf("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
        assertTrue(start >= 0, whose + " header has no kfunc block");
        int end = header.indexOf("\n#endif\n", start);
        List<String> lines = new ArrayList<>();
        for (String line : header.substring(start, end + 1).split("\n")) {
            if (line.startsWith("extern ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void vmlinuxKfuncPrototypesAreBpftools() throws Exception {
        assumeTrue(Files.isReadable(VMLINUX), VMLINUX + " is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF");
        Btf btf = Btf.parse(MemorySegment.ofArray(Files.readAllBytes(VMLINUX)));
        List<String> ours = prototypes(BtfCHeader.generate(btf), "bpfkit's");
        List<String> theirs = prototypes(TestTools.bpftoolHeader(bpftool, List.of(), VMLINUX), "bpftool's");
        int attributes = 0;
        List<String> normalized = new ArrayList<>();
        for (String line : theirs) {
            String n = BtfCHeaderDifferentialTest.kflagTagsAsAttributes(line);
            attributes += n.equals(line) ? 0 : 1;
            normalized.add(n);
        }
        assertEquals(normalized, ours);
        assertTrue(ours.size() > 0, "this kernel's BTF tags no kfunc: nothing was compared");
        System.out.printf("vmlinux: %d kfunc prototypes, bpftool %s's in the same order;"
                + " %d differ only in writing address_space as an attribute%n",
                ours.size(), String.join(".", versionOf(bpftool)), attributes);
    }

    /** The whole header of hand-built BTF with kfuncs of every shape, line for line. */
    @Test
    void handBuiltKfuncsAreBpftoolsToTheLine() throws Exception {
        Path raw = dir.resolve("kfuncs.btf");
        Files.write(raw, KfuncPrototypesTest.kfuncs().build());
        String ours = BtfCHeader.generate(Btf.parse(MemorySegment.ofArray(Files.readAllBytes(raw))));
        assertEquals(TestTools.bpftoolHeader(bpftool, List.of(), raw), ours);
    }

    private static String[] versionOf(Path bpftool) throws Exception {
        int[] v = TestTools.bpftoolVersion(bpftool);
        return new String[] {Integer.toString(v[0]), Integer.toString(v[1])};
    }
}
