package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            TestTools.requireVmlinuxBtf();
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
        Path bpftool = TestTools.requireBpftool();
        Fixes fixes = assertSameButLayoutFixes(TestTools.asPrintedBy(bpftool, vmlinuxHeader.text()),
                new String(theirs, StandardCharsets.UTF_8), VMLINUX.toString());
        // bpftool 7.5 (libbpf 1.5) writes the mode attributes itself.
        int expected = TestTools.bpftoolHasKfuncPrototypes(bpftool) ? 0 : sizedEnums(btf).size();
        assertEquals(expected, fixes.modes(), "a mode attribute for each 1- or 8-byte enum bpftool leaves without");
        // only such a union gets padding (some need none: their members' alignment rounds C's size up)
        assertTrue(fixes.paddedUnions() <= unionsLargerThanMembers(btf).size(), "padding in " + fixes.paddedUnions()
                + " unions, but only " + unionsLargerThanMembers(btf).size() + " are larger than their members");
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
        int floor = assertionFloor(btf, vmlinuxHeader, probe);
        assertTrue(probe.assertions() >= floor, "the probe checks every named struct and union and its named "
                + "members: " + probe.assertions() + " assertions, at least " + floor + " expected");

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
        // The probe can fail: bpftool's header gets every sized enum wrong, and the probe sees it.
        assertTrue(seeds.isEmpty() || !failedTheirs.isEmpty(), "the probe finds none of bpftool's " + seeds.size()
                + " wrongly sized enums and unions");
        System.out.printf("vmlinux layout probe: %d assertions (at least %d expected) hold against our header (%d types"
                + " left out: they hold __builtin_va_list); against bpftool's %d fail, all for types that hold a 1- or"
                + " 8-byte enum or a union larger than its members%n", probe.assertions(), floor, probe.skipped(),
                failedTheirs.size());
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
    List<DynamicTest> testObjectHeadersCompileAndAgreeWithBpftool() {
        List<Path> objects = TestTools.testObjects();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path o : objects) {
            tests.add(DynamicTest.dynamicTest(o.getFileName().toString(), () -> roundTrip(o)));
        }
        String[][] snippets = {{"all_kinds", TestSnippets.ALL_KINDS}, {"more", TestSnippets.MORE}};
        for (String[] s : snippets) {
            tests.add(DynamicTest.dynamicTest(s[0], () -> roundTrip(TestTools.compiled(s[0], s[1], "bpfel"))));
        }
        return tests;
    }

    /** An object's BTF as a header: bpftool's text, and it compiles with its layouts holding. */
    private static void roundTrip(Path object) throws Exception {
        Optional<MemorySegment> section = TestTools.elfSection(Files.readAllBytes(object), ".BTF");
        assertTrue(section.isPresent(), object + " has no .BTF section (the build compiles every object with -g)");
        Btf btf = Btf.parse(section.get());
        BtfCHeader header = BtfCHeader.of(btf);
        Path bpftool = TestTools.requireBpftool();
        String theirs = TestTools.bpftoolHeader(bpftool, List.of(), object);
        assertSameButLayoutFixes(TestTools.asPrintedBy(bpftool, header.text()), theirs, object.toString());
        String name = object.getFileName().toString().replace('.', '_');
        Path dir = write(name, header);
        CLayoutProbe.Probe probe = CLayoutProbe.of(btf, header, "vmlinux.h");
        assertEquals(Set.of(), probe(dir, probe), object + ": sizes/offsets the header gets wrong (BTF ids)");
        int floor = assertionFloor(btf, header, probe);
        assertTrue(probe.assertions() >= floor, object + ": " + probe.assertions() + " assertions, at least " + floor
                + " expected (one per named struct or union and per named member)");
    }

    /**
     * The fewest _Static_asserts a complete probe makes: one size per named struct and union
     * and one offset per named, non-bitfield member, for every such type the probe does not
     * leave out (those holding a {@code __builtin_va_list}).
     */
    private static int assertionFloor(Btf btf, BtfCHeader header, CLayoutProbe.Probe probe) {
        Set<Integer> builtin = new HashSet<>();
        btf.findAll("__builtin_va_list").forEach(t -> builtin.add(t.id()));
        Set<Integer> left = CLayoutProbe.holdingByValue(btf, builtin);
        assertEquals(left.size(), probe.skipped(), "the probe leaves out what holds a __builtin_va_list, no more");
        int floor = 0;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Composite c && header.declaredName(id).isPresent()
                    && !left.contains(id)) {
                floor += 1 + (int) c.members().stream().filter(m -> !m.name().isEmpty() && !m.isBitfield()).count();
            }
        }
        return floor;
    }

    // ---- the comparison itself ----

    @Test
    void paddingIsAcceptedOnlyAtTheEndOfAUnion() {
        String bpftool = "typedef union {\n} empty;\n\nstruct s {\n\tint a;\n\tunion {\n\t\tint b;\n\t};\n};\n";
        String padded = "typedef union {\n\tlong: 64;\n} empty;\n\nstruct s {\n\tint a;\n\tunion {\n\t\tint b;"
                + "\n\t\tlong: 64;\n\t};\n};\n";
        assertEquals(new Fixes(0, 2), assertSameButLayoutFixes(padded, bpftool, "two padded unions"));
        String inStruct = "typedef union {\n} empty;\n\nstruct s {\n\tint a;\n\tlong: 64;\n\tunion {\n\t\tint b;"
                + "\n\t};\n};\n";
        String midUnion = "typedef union {\n} empty;\n\nstruct s {\n\tint a;\n\tunion {\n\t\tlong: 64;\n\t\tint b;"
                + "\n\t};\n};\n";
        for (String wrong : List.of(inStruct, midUnion)) {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> assertSameButLayoutFixes(wrong, bpftool, "misplaced padding"));
            assertTrue(e.getMessage().contains(" pads a "), e.getMessage());
        }
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

    /** The layout fixes found in our header: mode attributes, and unions given padding. */
    private record Fixes(int modes, int paddedUnions) {
    }

    // What opens and closes a struct, union or enum body in a C header, and a padding bitfield.
    private static final Pattern OPENS = Pattern.compile("^\\t*(typedef )?(struct|union|enum)( \\w+)? \\{$");
    private static final Pattern CLOSES = Pattern.compile("^\\t*}.*;$");
    private static final Pattern PADDING = Pattern.compile("\\t+(char|short|int|long): \\d+;");

    /**
     * Compares ours with bpftool's line by line. The only differences allowed are our layout
     * fixes: a {@code mode} attribute after an enum's closing brace, an {@code aligned}
     * attribute, and padding bitfields at the end of a union (where bpftool's line is the
     * union's closing brace), for a union BTF says is larger than its members.
     */
    private static Fixes assertSameButLayoutFixes(String ours, String theirs, String what) {
        String[] a = ours.split("\n", -1);
        String[] b = theirs.split("\n", -1);
        Deque<String> open = new ArrayDeque<>(); // "struct", "union" or "enum", innermost first
        int modes = 0;
        int padded = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            if (a[i].equals(b[j])) {
                track(a[i], open);
                i++;
                j++;
            } else if (a[i].equals(b[j].replace("};", "} __attribute__((mode(byte)));"))
                    || a[i].equals(b[j].replace("};", "} __attribute__((mode(word)));"))) {
                track(b[j], open);
                modes++;
                i++;
                j++;
            } else if (a[i].equals(kflagTagsAsAttributes(b[j]))) {
                track(b[j], open);
                i++;
                j++;
            } else if (PADDING.matcher(a[i]).matches()) {
                // union padding bpftool does not write: only inside a union, only at its end
                int end = i;
                while (end < a.length && PADDING.matcher(a[end]).matches()) {
                    end++;
                }
                if (!"union".equals(open.peek()) || end >= a.length || !CLOSES.matcher(a[end]).matches()
                        || !CLOSES.matcher(b[j]).matches()) {
                    fail(what + ": line " + (i + 1) + " pads " + (open.isEmpty() ? "outside any type" : "a "
                            + open.peek()) + " where bpftool's line " + (j + 1) + " is not the union's end:\n  bpftool: "
                            + b[j] + "\n  bpfkit:  " + a[i]);
                }
                padded++;
                i = end;
            } else if (a[i].matches(".*} __attribute__\\(\\(aligned\\(\\d+\\)\\)\\).*")
                    && a[i].replaceAll(" __attribute__\\(\\(aligned\\(\\d+\\)\\)\\)", "").equals(b[j])) {
                track(b[j], open);
                i++;
                j++;
            } else {
                fail(what + ": line " + (i + 1) + " differs from bpftool's line " + (j + 1) + "\n  bpftool: " + b[j]
                        + "\n  bpfkit:  " + a[i]);
            }
        }
        assertEquals(a.length - i, b.length - j, what + ": one header has more lines at the end");
        return new Fixes(modes, padded);
    }

    /** Follows which struct, union or enum bodies a line opens and closes. */
    private static void track(String line, Deque<String> open) {
        Matcher m = OPENS.matcher(line);
        if (m.matches()) {
            open.push(m.group(2));
        } else if (CLOSES.matcher(line).matches() && !open.isEmpty()) {
            open.pop();
        }
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
