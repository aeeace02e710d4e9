package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The C header ({@code btf dump --format c}) against bpftool's and against clang: for the
 * kernel's BTF and for every test object,
 * <ul>
 * <li>the text is bpftool's (as {@code format c unsorted} prints it from bpftool 7.5 on; before
 *     7.5, without the kfunc prototypes bpftool did not write yet), line for line, except for
 *     our layout fixes: the {@code mode(byte)} / {@code mode(word)} attribute that one- and
 *     eight-byte enums need (bpftool 7.1 as Debian builds it leaves it out, so its vmlinux.h
 *     gets those enums, and every struct embedding one, wrong), padding for a union BTF says is
 *     larger than its members (vmlinux's {@code release_pages_arg}, which bpftool writes as an
 *     empty union), and {@code address_space} type tags written as attributes;
 * <li>it compiles with clang for BPF, and a probe of {@code _Static_assert}s generated from the
 *     BTF (the size of every named type, the offset of every member) holds against it; against
 *     bpftool's header the same probe fails only for the types holding such an enum or union;
 * <li>a BPF object compiled against it carries, in its own BTF, the layouts (bitfields included)
 *     of the kernel's BTF.
 * </ul>
 */
class BtfCHeaderDifferentialTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private static Path scratch;

    @BeforeAll
    static void scratch() throws IOException {
        scratch = Files.createTempDirectory("bpfkit-cheader-test");
    }

    @AfterAll
    static void clean() throws IOException {
        try (Stream<Path> s = Files.walk(scratch)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- vmlinux ----

    private static Btf vmlinux;
    private static BtfCHeader vmlinuxHeader;

    private static synchronized Btf vmlinux() throws IOException {
        if (vmlinux == null) {
            assumeTrue(Files.isReadable(VMLINUX), VMLINUX + " is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF");
            vmlinux = Btf.parse(MemorySegment.ofArray(Files.readAllBytes(VMLINUX)));
            long t0 = System.nanoTime();
            vmlinuxHeader = BtfCHeader.of(vmlinux);
            long cold = System.nanoTime() - t0;
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                BtfCHeader.of(vmlinux);
                best = Math.min(best, System.nanoTime() - t);
            }
            System.out.printf("vmlinux.h: %d types, %d bytes; generated in %.0f ms cold, %.0f ms warm (best of 5)%n",
                    vmlinux.typeCount(), vmlinuxHeader.text().length(), cold / 1e6, best / 1e6);
        }
        return vmlinux;
    }

    private static byte[] bpftoolVmlinuxHeader;

    /** bpftool's vmlinux.h, made once. */
    private static synchronized byte[] bpftoolVmlinuxHeader() throws Exception {
        if (bpftoolVmlinuxHeader == null) {
            bpftoolVmlinuxHeader = TestTools.bpftoolHeader(TestTools.requireBpftool(), List.of(), VMLINUX)
                    .getBytes(StandardCharsets.UTF_8);
        }
        return bpftoolVmlinuxHeader;
    }

    @Test
    void vmlinuxHeaderIsBpftoolsButForEnumSizes() throws Exception {
        Btf btf = vmlinux();
        byte[] theirs = bpftoolVmlinuxHeader();
        int added = assertSameButLayoutFixes(TestTools.asPrintedBy(TestTools.requireBpftool(), vmlinuxHeader.text()),
                new String(theirs, StandardCharsets.UTF_8), VMLINUX.toString());
        // bpftool 7.5 (libbpf 1.5) writes the mode attributes itself.
        int expected = TestTools.bpftoolHasKfuncPrototypes(TestTools.requireBpftool()) ? 0 : sizedEnums(btf).size();
        assertEquals(expected, added, "a mode attribute for each 1- or 8-byte enum bpftool leaves without");
    }

    @Test
    void vmlinuxHeaderCompilesForBpf() throws Exception {
        vmlinux();
        Path dir = write("compile", vmlinuxHeader);
        Path c = dir.resolve("prog.bpf.c");
        Files.writeString(c, """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_core_read.h>
                SEC("raw_tp/sys_enter")
                int prog(struct bpf_raw_tracepoint_args *ctx)
                {
                	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
                	return BPF_CORE_READ(t, real_parent, tgid) + bpf_core_field_offset(struct sk_buff, len);
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
        clangOk(List.of("-O2", "-g", "-target", "bpf", "-Wall", "-Werror", "-I" + dir, "-c", c.toString(),
                "-o", dir.resolve("prog.bpf.o").toString()));
    }

    @Test
    void vmlinuxLayoutsHoldInOurHeaderAndInBpftoolsExceptItsEnumSizes() throws Exception {
        Btf btf = vmlinux();
        CLayoutProbe.Probe probe = CLayoutProbe.of(btf, vmlinuxHeader, "vmlinux.h");
        Path ours = write("probe-ours", vmlinuxHeader);
        Set<Integer> failedOurs = probe(ours, probe);
        assertEquals(Set.of(), failedOurs, "sizes/offsets that our vmlinux.h gets wrong (BTF ids)");

        Path theirs = scratch.resolve("probe-bpftool");
        Files.createDirectories(theirs);
        Files.write(theirs.resolve("vmlinux.h"), bpftoolVmlinuxHeader());
        Set<Integer> failedTheirs = probe(theirs, probe);
        Set<Integer> seeds = sizedEnums(btf);
        seeds.addAll(unionsLargerThanMembers(btf));
        Set<Integer> explained = CLayoutProbe.holdingByValue(btf, seeds);
        Set<Integer> unexplained = new HashSet<>(failedTheirs);
        unexplained.removeAll(explained);
        assertEquals(Set.of(), unexplained, "bpftool's header fails these checks for another reason than enum or union sizes");
        System.out.printf("vmlinux layout probe: %d assertions hold against our header (%d types left out: they hold"
                + " __builtin_va_list); against bpftool's %d fail, all for types that hold a 1- or 8-byte enum or a union larger than its members%n",
                probe.assertions(), probe.skipped(), failedTheirs.size());
    }

    @Test
    void objectCompiledAgainstTheHeaderHasTheKernelsLayouts() throws Exception {
        Btf btf = vmlinux();
        // Every named struct/union with a bitfield (offsetof cannot check those), which pulls in
        // everything they embed: about a thousand types, a second or two of clang.
        List<Integer> ids = new ArrayList<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Composite c && !c.name().isEmpty() && hasBitfield(btf, c)) {
                ids.add(id);
            }
        }
        Path dir = write("object", vmlinuxHeader);
        Path c = dir.resolve("layouts.bpf.c");
        Files.writeString(c, CLayoutProbe.pointersTo(vmlinuxHeader, ids, "vmlinux.h"));
        Path o = dir.resolve("layouts.bpf.o");
        clangOk(List.of("-O2", "-g", "-target", "bpf", "-I" + dir, "-c", c.toString(), "-o", o.toString()));
        Btf object = Btf.parse(TestTools.elfSection(Files.readAllBytes(o), ".BTF").orElseThrow());
        int[] compared = {0};
        List<String> diffs = CLayoutProbe.compareLayouts(btf, vmlinuxHeader, object, compared);
        assertEquals(List.of(), diffs.stream().limit(20).toList(), diffs.size() + " layouts differ");
        assertTrue(compared[0] >= ids.size(), "compared " + compared[0] + " of at least " + ids.size());
        System.out.printf("object built against vmlinux.h: %d structs/unions (%d with bitfields) have the kernel's layout%n",
                compared[0], ids.size());
    }

    // ---- the test objects and snippets ----

    @TestFactory
    List<DynamicTest> testObjectHeadersCompileAndAgreeWithBpftool() throws IOException {
        List<Path> objects = new ArrayList<>();
        String dir = System.getProperty("bpfkit.testObjects");
        if (dir != null && Files.isDirectory(Path.of(dir))) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.getFileName().toString().endsWith(".o")).sorted().forEach(objects::add);
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path o : objects) {
            tests.add(DynamicTest.dynamicTest(o.getFileName().toString(), () -> roundTrip(o)));
        }
        String[][] snippets = {{"all_kinds", TestSnippets.ALL_KINDS}, {"more", TestSnippets.MORE}};
        for (String[] s : snippets) {
            tests.add(DynamicTest.dynamicTest(s[0], () -> roundTrip(TestTools.compiled(s[0], s[1], "bpfel"))));
        }
        if (objects.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("no test objects", () -> assumeTrue(false,
                    "no *.o in bpfkit.testObjects=" + dir + " (built from runtime/src/test/bpf/*.bpf.c)")));
        }
        return tests;
    }

    /** An object's BTF as a header: bpftool's text, and it compiles with its layouts holding. */
    private static void roundTrip(Path object) throws Exception {
        Optional<MemorySegment> section = TestTools.elfSection(Files.readAllBytes(object), ".BTF");
        assumeTrue(section.isPresent(), object + " has no .BTF section");
        Btf btf = Btf.parse(section.get());
        BtfCHeader header = BtfCHeader.of(btf);
        Path bpftool = TestTools.requireBpftool();
        String theirs = TestTools.bpftoolHeader(bpftool, List.of(), object);
        assertSameButLayoutFixes(TestTools.asPrintedBy(bpftool, header.text()), theirs, object.toString());
        String name = object.getFileName().toString().replace('.', '_');
        Path dir = write(name, header);
        CLayoutProbe.Probe probe = CLayoutProbe.of(btf, header, "vmlinux.h");
        assertEquals(Set.of(), probe(dir, probe), object + ": sizes/offsets the header gets wrong (BTF ids)");
    }

    // ---- helpers ----

    private static Path write(String name, BtfCHeader header) throws IOException {
        Path dir = scratch.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("vmlinux.h"), header.text());
        return dir;
    }

    /** Compiles the probe against {@code dir/vmlinux.h}; returns the ids of failed assertions. */
    private static Set<Integer> probe(Path dir, CLayoutProbe.Probe probe) throws IOException {
        Path c = dir.resolve("probe.c");
        Files.writeString(c, probe.source());
        Tools.Result r = Tools.run(300, TestTools.requireClang().toString(), "-target", "bpf", "-fsyntax-only", "-ferror-limit=0",
                "-I" + dir, c.toString());
        Set<Integer> failed = CLayoutProbe.failedIds(r.stderr());
        if (r.exitCode() != 0 && failed.isEmpty()) {
            fail("the probe against " + dir.resolve("vmlinux.h") + " does not compile:\n" + head(r.stderr()));
        }
        return failed;
    }

    private static void clangOk(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestTools.requireClang().toString());
        cmd.addAll(args);
        Tools.Result r = Tools.run(300, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), () -> String.join(" ", cmd) + " failed:\n" + head(r.stderr()));
    }

    private static String head(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "\n..." : s;
    }

    /**
     * Compares ours with bpftool's line by line. The only differences allowed are our layout
     * fixes: a {@code mode} attribute after an enum's closing brace, and padding bitfields or
     * an {@code aligned} attribute for a union BTF says is larger than its members. Returns
     * how many lines carry a mode attribute.
     */
    private static int assertSameButLayoutFixes(String ours, String theirs, String what) {
        String[] a = ours.split("\n", -1);
        String[] b = theirs.split("\n", -1);
        int modes = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i].equals(b[j])) {
                i++;
                j++;
            } else if (a[i].equals(b[j].replace("};", "} __attribute__((mode(byte)));"))
                    || a[i].equals(b[j].replace("};", "} __attribute__((mode(word)));"))) {
                modes++;
                i++;
                j++;
            } else if (a[i].equals(kflagTagsAsAttributes(b[j]))) {
                i++;
                j++;
            } else if (a[i].matches("\t+(char|short|int|long): \\d+;")) {
                i++; // union padding bpftool does not write
            } else if (a[i].matches(".*} __attribute__\\(\\(aligned\\(\\d+\\)\\)\\).*")
                    && a[i].replaceAll(" __attribute__\\(\\(aligned\\(\\d+\\)\\)\\)", "").equals(b[j])) {
                i++;
                j++;
            } else {
                fail(what + ": line " + (i + 1) + " differs from bpftool's line " + (j + 1) + "\n  bpftool: " + b[j]
                        + "\n  bpfkit:  " + a[i]);
            }
        }
        assertEquals(a.length - i, b.length - j, what + ": one header has more lines at the end");
        return modes;
    }

    /**
     * A bpftool line with the kernel's {@code address_space(N)} type tags (kind flag set) as
     * bpfkit writes them: attributes, where libbpf before 1.6 wrote {@code btf_type_tag("...")}.
     */
    static String kflagTagsAsAttributes(String line) {
        return line.replaceAll("btf_type_tag\\(\"(address_space\\(\\d+\\))\"\\)", "$1");
    }

    /** Enums whose size C only gets with a mode attribute: 1 byte, or 8 bytes with 32-bit values. */
    private static Set<Integer> sizedEnums(Btf btf) {
        Set<Integer> ids = new HashSet<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Enumeration e && !e.values().isEmpty()
                    && (e.size() == 1 || (e.size() == 8
                    && (e instanceof BtfType.Enum || e.values().stream().allMatch(v -> v.value() >>> 32 == 0))))) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Unions BTF says are larger than their largest member (bpftool writes them too small). */
    private static Set<Integer> unionsLargerThanMembers(Btf btf) {
        Set<Integer> ids = new HashSet<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Union u
                    && u.members().stream().allMatch(m -> btf.resolveSize(m.type()) < u.size())) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static boolean hasBitfield(Btf btf, BtfType.Composite c) {
        for (BtfType.Member m : c.members()) {
            if (m.isBitfield()) {
                return true;
            }
            if (m.name().isEmpty() && btf.type(btf.skipModifiers(m.type())) instanceof BtfType.Composite in
                    && in.name().isEmpty() && hasBitfield(btf, in)) {
                return true;
            }
        }
        return false;
    }
}
