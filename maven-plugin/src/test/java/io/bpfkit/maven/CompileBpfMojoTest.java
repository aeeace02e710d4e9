package io.bpfkit.maven;

import static io.bpfkit.maven.MojoHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpfkit:compile-bpf} on projects in a temporary folder: real clang, real objects opened
 * by bpfkit's own opener, the Mojo configured from its shipped plugin.xml as Maven would.
 */
class CompileBpfMojoTest {
    private static final int EM_BPF = 247;

    /** One array map and one raw_tp program: the smallest object a bpfkit binding would use. */
    private static final String TINY = """
            #include <linux/types.h>
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            #include "limits.h"

            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY);
                __uint(max_entries, SLOTS);
                __type(key, __u32);
                __type(value, __u64);
            } hits SEC(".maps");

            SEC("raw_tp")
            int count(void *ctx)
            {
                __u32 key = 0;
                __u64 *v = bpf_map_lookup_elem(&hits, &key);

                if (v)
                    __sync_fetch_and_add(v, 1);
                return 0;
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    @TempDir
    Path project;

    private final MojoHarness.RecordingLog log = new MojoHarness.RecordingLog();

    private Path bpf() {
        return project.resolve("src/main/bpf");
    }

    private Path objects() {
        return project.resolve("target/bpf");
    }

    private CompileBpfMojo mojo(Map<String, Object> overrides) {
        return MojoHarness.mojo(project, Map.of(), overrides, log);
    }

    private CompileBpfMojo mojo() {
        return mojo(Map.of());
    }

    private void writeTiny(int slots) throws IOException {
        write(bpf(), "tiny.bpf.c", TINY);
        write(bpf(), "limits.h", "#define SLOTS " + slots + "\n");
    }

    /** The object is ELF64 for EM_BPF, and bpfkit's opener finds the program and the map. */
    @Test
    void compilesTinySourceIntoAnEbpfObjectTheOpenerReads() throws Exception {
        writeTiny(4);
        mojo().execute();

        Path obj = objects().resolve("tiny.bpf.o");
        byte[] elf = Files.readAllBytes(obj);
        assertEquals(0x7f, elf[0]);
        assertEquals("ELF", new String(elf, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(2, elf[4], "ELFCLASS64");
        assertEquals(1, elf[5], "little endian, as the x86 host");
        assertEquals(EM_BPF, ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getShort(18), "e_machine");

        BpfObjectSpec spec = BpfObjects.open(obj);
        ProgramSpec count = spec.program("count").orElseThrow();
        assertEquals("raw_tp", count.section());
        assertFalse(count.isSubprogram());
        MapSpec hits = spec.map("hits").orElseThrow();
        assertEquals(MapType.ARRAY, hits.mapType());
        assertEquals(MapSpec.Definition.BTF, hits.definition());
        assertEquals(4, hits.keySize());
        assertEquals(8, hits.valueSize());
        assertEquals(4, hits.maxEntries(), "SLOTS from limits.h, found through the source folder's -I");
        // -g: BTF with line info, what the annotation processor and CO-RE need
        assertTrue(spec.btf().isPresent());
        assertTrue(log.info().contains("bpfkit: 1 of 1 BPF objects compiled into " + objects()), log.lines.toString());
    }

    @Test
    void clangErrorsFailTheBuildWithClangsDiagnostic() throws Exception {
        writeTiny(4);
        write(bpf(), "broken.bpf.c", """
                #include <linux/bpf.h>

                int broken(void) { return no_such_variable; }
                """);
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
        String m = e.getMessage();
        assertTrue(m.contains("clang failed on " + bpf().resolve("broken.bpf.c")), m);
        assertTrue(m.contains("broken.bpf.c:3:27: error: use of undeclared identifier 'no_such_variable'"), m);
        assertFalse(Files.exists(objects().resolve("broken.bpf.o")), "no object from a failed compile");
        // sources are compiled in name order: the one before the broken one was built
        assertTrue(Files.exists(objects().resolve("tiny.bpf.o")) == ("broken".compareTo("tiny") > 0));
    }

    @Test
    void extraFlagsReachClang() throws Exception {
        write(bpf(), "warn.bpf.c", """
                int warns(void) { return 1 << 40; }
                """);
        mojo().execute();
        // the default flags have no -Werror: clang's warning reaches the log, the object is built
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("warn ") && l.contains("shift count >= width of type")),
                log.lines.toString());
        Files.delete(objects().resolve("warn.bpf.o"));
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> mojo(Map.of("extraFlags", new String[] {"-Wall", "-Werror"})).execute());
        assertTrue(e.getMessage().contains("warn.bpf.c:1:") && e.getMessage().contains(
                "error: shift count >= width of type [-Werror,-Wshift-count-overflow]"), e.getMessage());
    }

    /** Unchanged sources are left alone; a changed header or source rebuilds. */
    @Test
    void onlyOutOfDateObjectsAreRebuilt() throws Exception {
        writeTiny(4);
        write(bpf(), "other.bpf.c", """
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("raw_tp") int other(void *ctx) { return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        mojo().execute();
        Path tiny = objects().resolve("tiny.bpf.o");
        Path other = objects().resolve("other.bpf.o");
        // make the times unambiguous: sources an hour old, objects half an hour old
        long now = System.currentTimeMillis();
        for (Path p : List.of(bpf().resolve("tiny.bpf.c"), bpf().resolve("other.bpf.c"), bpf().resolve("limits.h"))) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(now - 3_600_000));
        }
        FileTime built = FileTime.fromMillis(now - 1_800_000);
        Files.setLastModifiedTime(tiny, built);
        Files.setLastModifiedTime(other, built);

        mojo().execute();
        assertEquals(built, Files.getLastModifiedTime(tiny), "unchanged: not recompiled");
        assertEquals(built, Files.getLastModifiedTime(other));
        assertTrue(log.info().contains("bpfkit: 0 of 2 BPF objects compiled into " + objects()), log.lines.toString());

        // a header of the source folder changed: every source may include it
        write(bpf(), "limits.h", "#define SLOTS 9\n");
        mojo().execute();
        assertNotEquals(built, Files.getLastModifiedTime(tiny));
        assertEquals(9, BpfObjects.open(tiny).map("hits").orElseThrow().maxEntries(), "rebuilt with the new header");
        assertTrue(log.info().contains("bpfkit: 2 of 2 BPF objects compiled into " + objects()), log.lines.toString());

        // a changed source: only its object
        Files.setLastModifiedTime(bpf().resolve("limits.h"), FileTime.fromMillis(now - 3_600_000));
        Files.setLastModifiedTime(tiny, built);
        Files.setLastModifiedTime(other, built);
        Files.setLastModifiedTime(bpf().resolve("other.bpf.c"), FileTime.fromMillis(now - 60_000));
        mojo().execute();
        assertEquals(built, Files.getLastModifiedTime(tiny));
        assertNotEquals(built, Files.getLastModifiedTime(other));
        assertTrue(log.info().contains("bpfkit: 1 of 2 BPF objects compiled into " + objects()), log.lines.toString());
    }

    @Test
    void skipAndMissingSourceFolderCompileNothing() throws Exception {
        mojo().execute();
        assertFalse(Files.exists(objects()));
        assertTrue(log.info().contains("bpfkit: no BPF sources (" + bpf() + " is not a folder)"), log.lines.toString());
        writeTiny(4);
        // -Dbpfkit.bpf.skip=true, through the descriptor's expression
        MojoHarness.mojo(project, Map.of("bpfkit.bpf.skip", "true"), Map.of(), log).execute();
        assertFalse(Files.exists(objects().resolve("tiny.bpf.o")));
        assertTrue(log.info().contains("bpfkit: compile-bpf skipped"));
    }

    /**
     * A source that includes vmlinux.h gets one made by bpfkit from BTF; here the BTF of an
     * object this plugin compiled first (any BTF will do, and this one is the same on every
     * machine), so the generated header must declare that object's types.
     */
    @Test
    void vmlinuxHeaderIsGeneratedFromTheGivenBtf() throws Exception {
        Path kernel = project.resolve("kernel");
        write(kernel.resolve("src/main/bpf"), "types.bpf.c", """
                struct bpfkit_task { int pid; unsigned long long start_time; char comm[16]; };
                struct bpfkit_task bpfkit_task_sample;
                """);
        MojoHarness.mojo(kernel, Map.of(), Map.of(), log).execute();
        Path btf = kernel.resolve("target/bpf/types.bpf.o");

        write(bpf(), "uses_vmlinux.bpf.c", """
                #include "vmlinux.h"

                /* bpf_helpers.h needs the kernel's __u32 and friends, which these types lack */
                struct {
                    int (*type)[1];             /* BPF_MAP_TYPE_HASH */
                    int (*max_entries)[16];
                    int *key;
                    struct bpfkit_task *value;
                } tasks __attribute__((section(".maps"), used));
                """);
        write(bpf(), "plain.bpf.c", "int plain(void) { return 0; }\n");
        mojo(Map.of("vmlinuxBtf", btf.toString())).execute();

        Path header = project.resolve("target/generated-bpf-include/vmlinux.h");
        String text = Files.readString(header);
        assertTrue(text.contains("struct bpfkit_task {"), text);
        assertTrue(log.info().contains("bpfkit: wrote " + header + " from " + btf), log.lines.toString());
        BpfObjectSpec spec = BpfObjects.open(objects().resolve("uses_vmlinux.bpf.o"));
        MapSpec tasks = spec.map("tasks").orElseThrow();
        Btf types = spec.btf().orElseThrow();
        BtfType value = types.type(types.skipModifiersAndTypedefs(tasks.valueTypeId()));
        assertEquals("bpfkit_task", value.name());
        assertEquals(32, tasks.valueSize());

        // the same BTF again: the header is not rewritten, so nothing is rebuilt
        FileTime written = Files.getLastModifiedTime(header);
        log.lines.clear();
        mojo(Map.of("vmlinuxBtf", btf.toString())).execute();
        assertEquals(written, Files.getLastModifiedTime(header));
        assertTrue(log.info().contains("bpfkit: 0 of 2 BPF objects compiled into " + objects()), log.lines.toString());
    }

    /** No source wants vmlinux.h: none is made (reading the kernel's BTF takes time). */
    @Test
    void noVmlinuxHeaderWhenNoSourceIncludesIt() throws Exception {
        writeTiny(2);
        mojo(Map.of("vmlinuxBtf", project.resolve("no-such.btf").toString())).execute();
        assertFalse(Files.exists(project.resolve("target/generated-bpf-include/vmlinux.h")));
    }

    /**
     * bpfkit/pmu.h comes from the plugin itself, with no includeDirectories: the declared
     * counters reach the object as the runtime reads them.
     */
    @Test
    void bpfkitHeadersAreOnTheIncludePathWithoutConfiguration() throws Exception {
        write(bpf(), "pmu.bpf.c", """
                #include <linux/types.h>
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                #include <bpfkit/pmu.h>

                struct {
                    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
                    __uint(key_size, sizeof(__u32));
                    __uint(value_size, sizeof(__u32));
                } cycles SEC(".maps") BPFKIT_PMU("cycles") BPFKIT_PMU_FALLBACK("cpu-clock");

                SEC("raw_tp")
                int read_cycles(void *ctx)
                {
                    struct bpf_perf_event_value v;

                    return bpfkit_pmu_read(&cycles, 0, &v);
                }

                char LICENSE[] SEC("license") = "GPL";
                """);
        mojo().execute();
        Path header = project.resolve("target/generated-bpf-include/bpfkit/pmu.h");
        assertTrue(Files.readString(header).contains("#define BPFKIT_PMU_H"));
        MapSpec cycles = BpfObjects.open(objects().resolve("pmu.bpf.o")).map("cycles").orElseThrow();
        assertEquals("cycles", cycles.pmuCounter(0).event());
        assertEquals("cpu-clock", cycles.pmuCounter(0).fallback());
        // unchanged headers are not rewritten: the object stays up to date
        FileTime before = Files.getLastModifiedTime(header);
        mojo().execute();
        assertEquals(before, Files.getLastModifiedTime(header));
        assertTrue(log.info().contains("bpfkit: 0 of 1 BPF objects compiled into " + objects()), log.lines.toString());
    }

    @Test
    void unreadableBtfIsAClearError() throws Exception {
        write(bpf(), "core.bpf.c", "#include <vmlinux.h>\n");
        Path missing = project.resolve("no-such.btf");
        MojoExecutionException e = assertThrows(MojoExecutionException.class,
                () -> mojo(Map.of("vmlinuxBtf", missing.toString())).execute());
        assertTrue(e.getMessage().contains("cannot make vmlinux.h, which core.bpf.c includes: " + missing
                + " cannot be read"), e.getMessage());
        Path notBtf = write(project, "not.btf", "hello");
        e = assertThrows(MojoExecutionException.class, () -> mojo(Map.of("vmlinuxBtf", notBtf.toString())).execute());
        assertTrue(e.getMessage().contains("cannot make vmlinux.h from " + notBtf), e.getMessage());
    }

    /**
     * With no {@code vmlinuxBtf}: the running kernel's BTF (this machine and CI have it), and a
     * CO-RE program against it compiles; without BTF the error says what to do.
     */
    @Test
    void vmlinuxHeaderFromTheRunningKernel() throws Exception {
        write(bpf(), "task.bpf.c", """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_core_read.h>

                SEC("raw_tp")
                int task_pid(void *ctx)
                {
                    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
                    return BPF_CORE_READ(t, pid);
                }

                char LICENSE[] SEC("license") = "GPL";
                """);
        String env = System.getenv("BPFKIT_VMLINUX_BTF");
        Path btf = Path.of(env != null && !env.isBlank() ? env : "/sys/kernel/btf/vmlinux");
        if (!Files.isReadable(btf)) {
            MojoExecutionException e = assertThrows(MojoExecutionException.class, () -> mojo().execute());
            assertTrue(e.getMessage().contains("CONFIG_DEBUG_INFO_BTF") || env != null, e.getMessage());
            return;
        }
        mojo().execute();
        assertTrue(Files.readString(project.resolve("target/generated-bpf-include/vmlinux.h"))
                .contains("struct task_struct {"));
        BpfObjectSpec spec = BpfObjects.open(objects().resolve("task.bpf.o"));
        ProgramSpec taskPid = spec.program("task_pid").orElseThrow();
        assertEquals("raw_tp", taskPid.section());
        assertFalse(taskPid.extInfo().coreRelocations().isEmpty(), "BPF_CORE_READ against the generated header");
    }

    private static final String CALLER = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>

            extern int scaled(int x);

            SEC("raw_tp")
            int entry(void *ctx)
            {
                return scaled(2);
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    private static final String CALLEE = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>

            __noinline int scaled(int x)
            {
                return x * 21;
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    private static Link link(String name, String... sources) {
        Link link = new Link();
        link.setName(name);
        link.setSources(sources);
        return link;
    }

    /** {@code <links>}: two sources, one calling a function of the other, linked into one object. */
    @Test
    void linksSeveralSourcesIntoOneObject() throws Exception {
        write(bpf(), "caller.bpf.c", CALLER);
        write(bpf(), "callee.bpf.c", CALLEE);
        mojo(Map.of("links", new Link[] {link("app", "caller.bpf.c", "callee.bpf.c")})).execute();
        BpfObjectSpec app = BpfObjects.open(objects().resolve("app.bpf.o"));
        assertEquals(List.of("entry", "scaled"), app.programs().stream().map(ProgramSpec::name).sorted().toList());
        assertTrue(app.program("scaled").orElseThrow().isSubprogram());
        assertEquals("GPL", app.license());
        assertTrue(log.info().stream().anyMatch(l -> l.startsWith("bpfkit: linked ")), log.info().toString());
    }

    @Test
    void aLinkThatDefinesAFunctionTwiceFailsTheBuildNamingIt() throws Exception {
        write(bpf(), "callee.bpf.c", CALLEE);
        write(bpf(), "callee_again.bpf.c", CALLEE);
        MojoFailureException e = assertThrows(MojoFailureException.class,
                () -> mojo(Map.of("links", new Link[] {link("app", "callee.bpf.c", "callee_again.bpf.c")})).execute());
        assertTrue(e.getMessage().contains("'scaled'") && e.getMessage().contains("callee_again.bpf.o"),
                e.getMessage());
        assertFalse(Files.exists(objects().resolve("app.bpf.o")));
        MojoExecutionException missing = assertThrows(MojoExecutionException.class,
                () -> mojo(Map.of("links", new Link[] {link("app", "nowhere.bpf.c")})).execute());
        assertTrue(missing.getMessage().contains("nowhere.bpf.c"), missing.getMessage());
    }
}
