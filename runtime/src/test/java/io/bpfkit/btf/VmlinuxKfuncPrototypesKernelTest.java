package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.sys.TestRunAttr;
import io.bpfkit.sys.TestRunResult;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kfunc prototypes of the running kernel's vmlinux.h, made by {@code bpfkit btf dump
 * /sys/kernel/btf/vmlinux --format c}: one for every function the kernel BTF tags
 * {@code bpf_kfunc} (counted independently from bpftool's raw dump), a header clang compiles
 * for BPF with libbpf's headers, and kfunc_protos.bpf.c, which calls kfuncs without declaring
 * them, compiles against it only while the prototypes are in (not with
 * {@code -DBPF_NO_KFUNC_PROTOTYPES}). The object the build made from it against the same header
 * declares each kfunc with the kernel's parameter types, and libbpf (bpftool prog loadall)
 * loads it: the kernel runs the kfuncs it calls.
 */
@KernelTest
class VmlinuxKfuncPrototypesKernelTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path SOURCE = Path.of("src", "test", "bpf", "kfunc_protos.bpf.c");
    /** A prototype line. */
    private static final Pattern EXTERN = Pattern.compile("^extern .* __weak __ksym;$", Pattern.MULTILINE);
    /** An attribute, such as {@code __attribute__((address_space(1)))}. */
    private static final Pattern ATTRIBUTE = Pattern.compile("__attribute__\\(\\((?:[^()]|\\([^()]*\\))*\\)\\)");
    /** The function's name: once attributes are out, the first word followed by "(". */
    private static final Pattern NAME = Pattern.compile("\\b(\\w+)\\(");

    private static Btf kernel;
    private static String header;

    @TempDir
    Path dir;

    @BeforeAll
    static void dump() throws IOException {
        assumeTrue(Files.isReadable(VMLINUX), VMLINUX + " is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF");
        kernel = KernelBtf.vmlinux();
        header = BtfCHeader.of(BtfFiles.read(VMLINUX)).text();
    }

    /** The names of the functions a whole-function bpf_kfunc tag marks, from bpftool's raw dump. */
    private static TreeSet<String> kfuncsByBpftool() throws Exception {
        String raw = new String(TestTools.run(List.of(TestTools.requireBpftool().toString(), "btf", "dump", "file",
                VMLINUX.toString())), StandardCharsets.UTF_8);
        Map<String, String> funcs = new TreeMap<>();
        Matcher f = Pattern.compile("^\\[(\\d+)] FUNC '(\\w+)'", Pattern.MULTILINE).matcher(raw);
        while (f.find()) {
            funcs.put(f.group(1), f.group(2));
        }
        TreeSet<String> names = new TreeSet<>();
        Matcher t = Pattern.compile("^\\[\\d+] DECL_TAG 'bpf_kfunc' type_id=(\\d+) component_idx=-1$", Pattern.MULTILINE)
                .matcher(raw);
        while (t.find()) {
            if (funcs.containsKey(t.group(1))) {
                names.add(funcs.get(t.group(1)));
            }
        }
        return names;
    }

    @TestFactory
    DynamicTest everyTaggedFunctionHasOnePrototype() {
        return KernelProbes.branch("one prototype per bpf_kfunc tag", KernelProbes.kfuncDeclTags(),
                VmlinuxKfuncPrototypesKernelTest::onePrototypePerTag, () -> {
                    // Nothing tagged: the guarded block is there, empty.
                    assertEquals(0, EXTERN.matcher(header).results().count(), "prototypes without tags");
                    assertTrue(header.contains("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n#endif\n"),
                            "an empty kfunc block");
                });
    }

    private static void onePrototypePerTag() throws Exception {
        List<String> declared = new ArrayList<>();
        Matcher m = EXTERN.matcher(header);
        while (m.find()) {
            Matcher name = NAME.matcher(ATTRIBUTE.matcher(m.group()).replaceAll(""));
            assertTrue(name.find(), m.group());
            declared.add(name.group(1));
        }
        int tags = 0;
        for (int id = 1; id < kernel.typeCount(); id++) {
            if (kernel.type(id) instanceof BtfType.DeclTag d && d.name().equals("bpf_kfunc") && d.componentIndex() == -1
                    && kernel.type(d.type()) instanceof BtfType.Func) {
                tags++;
            }
        }
        TreeSet<String> expected = kfuncsByBpftool();
        assertEquals(tags, declared.size(), "one prototype per bpf_kfunc tag");
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(declared);
        TreeSet<String> extra = new TreeSet<>(declared);
        extra.removeAll(expected);
        assertEquals(List.of(), List.copyOf(missing), "kfuncs without a prototype");
        assertEquals(List.of(), List.copyOf(extra), "prototypes of functions bpftool's dump does not tag bpf_kfunc");
        assertEquals(expected.size(), declared.size(), "no function declared twice");
        int block = header.indexOf("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
        assertTrue(block > 0 && header.indexOf("extern ") > block, "the prototypes are inside the guarded block");
        System.out.printf("vmlinux.h: %d kfunc prototypes, one per bpf_kfunc tag%n", declared.size());
    }

    private Tools.Result clang(String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestTools.requireClang().toString(), "-O2", "-g", "-target", "bpf",
                "-Wall", "-Werror", "-I" + dir));
        String multiarch = "/usr/include/" + System.getProperty("os.arch").replace("amd64", "x86_64") + "-linux-gnu";
        if (Files.isDirectory(Path.of(multiarch))) {
            cmd.add("-I" + multiarch);
        }
        cmd.addAll(List.of(args));
        return Tools.run(300, cmd.toArray(String[]::new));
    }

    @Test
    void headerCompilesWithLibbpfsHeadersAndTheGuardTakesThePrototypesOut() throws Exception {
        Files.writeString(dir.resolve("vmlinux.h"), header);
        Path c = dir.resolve("includes.bpf.c");
        Files.writeString(c, """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_tracing.h>
                #include <bpf/bpf_core_read.h>
                char LICENSE[] SEC("license") = "GPL";
                """);
        Tools.Result compiled = clang("-c", c.toString(), "-o", dir.resolve("includes.bpf.o").toString());
        assertEquals(0, compiled.exitCode(), compiled.stderr());

        long kfuncs = EXTERN.matcher(header).results().count();
        Tools.Result in = clang("-E", "-P", c.toString());
        Tools.Result out = clang("-E", "-P", "-DBPF_NO_KFUNC_PROTOTYPES", c.toString());
        assertEquals(0, in.exitCode(), in.stderr());
        assertEquals(0, out.exitCode(), out.stderr());
        String ksym = "__attribute__((weak)) __attribute__((section(\".ksyms\")));";
        assertEquals(kfuncs, in.out().lines().filter(l -> l.startsWith("extern ") && l.endsWith(ksym)).count());
        assertEquals(0, out.out().lines().filter(l -> l.contains("section(\".ksyms\")")).count());
    }

    @TestFactory
    DynamicTest ourProgramCompilesAgainstThePrototypesOnly() {
        return KernelProbes.branch("kfunc_protos.bpf.c compiles against the prototypes alone",
                KernelProbes.kfuncDeclTags(), this::compilesAgainstThePrototypes, () -> {
                    // No tags, no prototypes: the program's kfunc calls are undeclared.
                    Files.writeString(dir.resolve("vmlinux.h"), header);
                    Tools.Result with = clang("-c", SOURCE.toAbsolutePath().toString(), "-o",
                            dir.resolve("with.o").toString());
                    assertNotEquals(0, with.exitCode());
                    assertTrue(with.stderr().contains("call to undeclared function 'bpf_task_acquire'"), with.stderr());
                });
    }

    private void compilesAgainstThePrototypes() throws Exception {
        Files.writeString(dir.resolve("vmlinux.h"), header);
        Path source = SOURCE.toAbsolutePath();
        assertTrue(Files.isRegularFile(source), source + " is missing (tests run in the runtime module)");
        Tools.Result with = clang("-c", source.toString(), "-o", dir.resolve("with.o").toString());
        assertEquals(0, with.exitCode(), with.stderr());
        Tools.Result without = clang("-DBPF_NO_KFUNC_PROTOTYPES", "-c", source.toString(), "-o",
                dir.resolve("without.o").toString());
        assertNotEquals(0, without.exitCode());
        for (String kfunc : List.of("bpf_task_acquire", "bpf_task_release", "bpf_cast_to_kern_ctx", "bpf_obj_new_impl",
                "bpf_obj_drop_impl")) {
            assertTrue(without.stderr().contains("call to undeclared function '" + kfunc + "'"), without.stderr());
        }
    }

    /** The build's object (built against the build's vmlinux.h) calls each kfunc with the kernel's types. */
    @TestFactory
    DynamicTest objectDeclaresEachKfuncWithTheKernelsPrototype() {
        // bpf_obj_new_impl and bpf_task_acquire: Linux 6.2. An older kernel has none to compare with.
        return KernelProbes.branch("the object's kfuncs have the kernel's prototypes",
                KernelProbes.kernelBtfFunction("bpf_obj_new_impl"),
                VmlinuxKfuncPrototypesKernelTest::declaresTheKernelsPrototypes,
                () -> assertTrue(kernel.find("bpf_obj_new_impl", BtfKind.FUNC).isEmpty()));
    }

    private static void declaresTheKernelsPrototypes() throws Exception {
        Btf object = Btf.parse(TestTools.elfSection(TestObjects.bytes("kfunc_protos.bpf.o"), ".BTF").orElseThrow());
        BtfType.Datasec ksyms = object.datasec(".ksyms").orElseThrow();
        Map<String, String> declared = new TreeMap<>();
        for (BtfType.DatasecEntry e : ksyms.entries()) {
            BtfType.Func f = (BtfType.Func) object.type(e.type());
            declared.put(f.name(), TestTools.signature(object, f));
        }
        Map<String, String> kernels = new TreeMap<>();
        for (String name : declared.keySet()) {
            BtfType.Func f = (BtfType.Func) kernel.find(name, BtfKind.FUNC).orElseThrow();
            kernels.put(name, TestTools.signature(kernel, f));
        }
        assertEquals(List.of("bpf_cast_to_kern_ctx", "bpf_obj_drop_impl", "bpf_obj_new_impl", "bpf_task_acquire",
                "bpf_task_release"), List.copyOf(declared.keySet()));
        assertEquals(kernels, declared);
    }

    /** libbpf loads the object built against our header; the kernel runs the kfuncs it calls. */
    @TestFactory
    DynamicTest loadedByLibbpfItsKfuncCallsRun() {
        return KernelProbes.branch("libbpf runs the kfunc calls", KernelProbes.kernelBtfFunction("bpf_obj_new_impl"),
                VmlinuxKfuncPrototypesKernelTest::libbpfRunsTheKfuncCalls, () -> {
                    Path pins = Path.of("/sys/fs/bpf/bpfkit-kfunc-protos-" + ProcessHandle.current().pid());
                    Tools.Result load = Tools.run(60, TestTools.requireBpftool().toString(), "prog", "loadall",
                            TestObjects.path("kfunc_protos.bpf.o").toString(), pins.toString());
                    assertNotEquals(0, load.exitCode(), "a kernel without the kfuncs refuses the object with libbpf too");
                });
    }

    private static void libbpfRunsTheKfuncCalls() throws Exception {
        Path bpftool = TestTools.requireBpftool();
        Path pins = Path.of("/sys/fs/bpf/bpfkit-kfunc-protos-" + ProcessHandle.current().pid());
        Files.createDirectories(pins);
        try {
            Tools.Result load = Tools.run(60, bpftool.toString(), "prog", "loadall",
                    TestObjects.path("kfunc_protos.bpf.o").toString(), pins.resolve("progs").toString(), "pinmaps",
                    pins.resolve("maps").toString());
            assertEquals(0, load.exitCode(), "libbpf refused the object built against our vmlinux.h:\n" + load.stderr());
            Path bss;
            try (Stream<Path> s = Files.list(pins.resolve("maps"))) {
                bss = s.filter(p -> p.getFileName().toString().endsWith("bss")).findFirst().orElseThrow();
            }
            try (Arena arena = Arena.ofConfined();
                    Fd kernCtx = Bpf.objGet(pins.resolve("progs/kern_ctx").toString(), 0, "program");
                    Fd objNew = Bpf.objGet(pins.resolve("progs/obj_new").toString(), 0, "program");
                    Fd map = Bpf.objGet(bss.toString(), 0, "map")) {
                MemorySegment packet = arena.allocate(96);
                TestRunResult r = Bpf.progTestRun(kernCtx, TestRunAttr.builder().dataIn(packet).build());
                assertEquals(0, r.retval());
                assertEquals(0, Bpf.progTestRun(objNew, TestRunAttr.NONE).retval(), "bpf_obj_new_impl returned NULL");
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment value = arena.allocate(24);
                assertTrue(MapCalls.of(map).lookup(key, value));
                assertEquals(96, value.get(ValueLayout.JAVA_LONG, 8), "skb->len through bpf_cast_to_kern_ctx");
                assertEquals(42, value.get(ValueLayout.JAVA_LONG, 16), "the value written into the bpf_obj_new_impl object");
            }
        } finally {
            try (Stream<Path> s = Files.walk(pins)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
