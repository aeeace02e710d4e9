package io.bpfkit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.map.RecordCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor over interfaces that fit {@code binding.bpf.o} (see its header for what it
 * holds): the generated API, the generated codecs' bytes, deterministic output, and the note
 * plus run-time check when the object is not found while compiling.
 */
class BindingProcessorTest {
    static final String HEADER = """
            package t;

            import io.bpfkit.api.BpfProgram;
            import io.bpfkit.api.annotation.*;
            import io.bpfkit.api.codec.*;
            import io.bpfkit.api.map.*;
            import io.bpfkit.api.pmu.*;

            """;

    /** The records of the tests, each in its own file (a generated binding uses them). */
    static final Map<String, String> RECORDS = Map.of(
            "t/FlowKey.java", HEADER + "public record FlowKey(@Unsigned int saddr, @Unsigned short sport, "
                    + "@Unsigned byte proto) {}\n",
            "t/Inner.java", HEADER + "public record Inner(short a, int b) {}\n",
            "t/FlowStats.java", HEADER + "@CStruct(\"flow_stats\")\npublic record FlowStats(@Unsigned long packets, "
                    + "@Unsigned int bytes, Inner inner, @Size(16) String comm, @Size(3) int[] hist) {}\n");

    /** {@code file} with {@code text}, the test records and {@code more} (file, text, file, text...). */
    static Map<String, String> sources(String file, String text, String... more) {
        Map<String, String> all = new java.util.TreeMap<>(RECORDS);
        all.put(file, text);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], HEADER + more[i + 1]);
        }
        return all;
    }

    static final String FLOWS = HEADER + """
            @BpfObject("binding.bpf.o")
            public interface Flows extends AutoCloseable {
                @Map BpfHashMap<FlowKey, FlowStats> flows();
                @Map BpfArray<@Unsigned Long> hits();
                @Map BpfPerCpuArray<@Unsigned Long> perCpu();
                @Map BpfRingBufferMap events();
                @HwPmu(event = "cycles", fallback = "cpu-clock") PmuCounter cycles();
                @Program(value = "on_enter", autoAttach = true) BpfProgram onEnter();
                @Program BpfProgram onXdp();
                @Global void targetPid(@Unsigned int pid);
                @Global @Unsigned int targetPid();
                @Global void threshold(long threshold);
                @Global @Unsigned long total();
                @Global Inner last();
                @Global void last(Inner last);
                @Global int level();
                @Global void level(int level);
                @Global @Size(8) String name();
                @Global void name(@Size(8) String name);
                @Override void close();
            }
            """;

    @TempDir
    Path work;

    static Path objects() {
        return Path.of(System.getProperty("bpfkit.testObjects", "target/test-bpf"));
    }

    static String objectDir() {
        return "-Abpfkit.objectDir=" + objects();
    }

    @Test
    void generatesTheTypedApiForEveryDeclaredElement() {
        Compiler.Result r = Compiler.compile(work, sources("t/Flows.java", FLOWS), objectDir());
        assertTrue(r.success(), r::describe);
        assertEquals(List.of(), r.notes().stream().map(d -> d.getMessage(Locale.ROOT)).toList());
        String src = r.generated("t/FlowsBinding.java");
        assertGenerated(src,
                "public static Open open()",
                "public static Open open(Path path)",
                "public static Open open(byte[] object)",
                "public Open flowsMaxEntries(long maxEntries)",
                "public Open perCpuMaxEntries(long maxEntries)",
                "public Open onEnterAutoload(boolean autoload)",
                "public Open onXdpAutoload(boolean autoload)",
                "public Open targetPid(int value)",
                "public Open threshold(long value)",
                "public Open last(Inner value)",
                "public Open name(String value)",
                "public Open cyclesEvent(String event, String fallback)",
                "public Flows load()",
                "BpfMaps.hash(object, \"flows\", FlowKeyCodec.INSTANCE, FlowStatsCodec.INSTANCE)",
                "BpfMaps.perCpuArray(object, \"per_cpu\", Codecs.int64())",
                "binding.program(\"on_enter\", true)",
                "object.pmuCounter(\"cycles\", 0)",
                "static final class FlowStatsCodec implements Codec<FlowStats>",
                "static final class InnerCodec implements Codec<Inner>");
        // no edits for what the interface does not declare
        assertTrue(!src.contains("startMaxEntries") && !src.contains("totalMaxEntries"), src);
    }

    static final String NESTED = HEADER + """
            @BpfObject("binding.bpf.o")
            public interface Nested extends AutoCloseable {
                @Map BpfArrayOfMaps<BpfArray<@Unsigned Long>> tables();
                @Map BpfHashOfMaps<@Unsigned Integer, BpfArray<@Unsigned Long>> tenants();
                @Map("tables") BpfMapOfMaps<Integer, BpfArray<@Unsigned Long>> anyTable();
                @Map BpfRingBuffer<Event> events();
                @Map BpfUserRingBuffer<Event> commands();
                @Map BpfGlobals bss();
                @Map BpfGlobals rodata();
                @Map(".data.counters") BpfGlobals counters();
                @HwPmu(event = "cpu/event=0x3c/", fallback = "cpu-clock") PmuCounter cycles();
                @Override void close();

                record Event(@Unsigned int pid, @Unsigned int cpu, @Unsigned long ts) {}
            }
            """;

    @Test
    void mapsOfMapsSectionsAndRecordRingBuffersAreBound() {
        Compiler.Result r = Compiler.compile(work, sources("t/Nested.java", NESTED), objectDir());
        assertTrue(r.success(), r::describe);
        Diagnostic<? extends JavaFileObject> note = r.notes().getFirst();
        assertEquals(1, r.notes().size(), r::describe);
        assertEquals("bpfkit: perf event 'cpu/event=0x3c/' names a PMU of the machine that counts (sysfs): it is "
                + "resolved when the binding loads", note.getMessage(Locale.ROOT));
        assertEquals("\"cpu/event=0x3c/\"", r.pointedAt(note));
        String src = r.generated("t/NestedBinding.java");
        assertGenerated(src,
                "BpfMaps.arrayOfMaps(object, \"tables\", ref -> BpfMaps.array(ref, Codecs.int64()))",
                "BpfMaps.hashOfMaps(object, \"tenants\", Codecs.int32(), ref -> BpfMaps.array(ref, Codecs.int64()))",
                "BpfMaps.mapOfMaps(object, \"tables\", Codecs.int32(), ref -> BpfMaps.array(ref, Codecs.int64()))",
                "BpfMaps.ringBuffer(object, \"events\", EventCodec.INSTANCE)",
                "BpfMaps.userRingBuffer(object, \"commands\", EventCodec.INSTANCE)",
                "new Declared.MapHandle(\"commands\", \"commands\", HandleKind.USER_RINGBUF_RECORDS, null, EventCodec.TYPE)",
                "public Open commandsMaxEntries(long maxEntries)",
                "this.bss = binding.globals(\".bss\")",
                "this.rodata = binding.globals(\".rodata\")",
                "this.counters = binding.globals(\".data.counters\")",
                "new Declared.MapHandle(\"tenants\", \"tenants\", HandleKind.HASH_OF_MAPS, CType.integer(4, true), null,\n"
                        + "                    new Declared.MapHandle.Inner(HandleKind.ARRAY, null, CType.integer(8, true)))",
                "new Declared.MapHandle(\"events\", \"events\", HandleKind.RINGBUF_RECORDS, null, EventCodec.TYPE)",
                "public Open tablesMaxEntries(long maxEntries)",
                "public Open eventsMaxEntries(long maxEntries)");
        assertTrue(!src.contains("bssMaxEntries") && !src.contains("countersMaxEntries"), src);
    }

    @Test
    void innerMapsAndSectionsAreCheckedAgainWhenTheBindingOpens() throws Exception {
        String wrong = HEADER + """
                @BpfObject("binding.bpf.o")
                public interface WrongNested extends AutoCloseable {
                    @Map BpfArrayOfMaps<BpfArray<Integer>> tables();
                    @Map(".data.count") BpfGlobals counters();
                    void close();
                }
                """;
        Compiler.Result checked = Compiler.compile(work, sources("t/WrongNested.java", wrong), objectDir());
        List<String> compileTime = checked.errors().stream().map(d -> d.getMessage(Locale.ROOT)).toList();
        assertEquals(List.of("the inner maps of map 'tables' value: Java __s32 is 4 bytes, the object's is 8 bytes "
                + "(__u64)", "object 'binding' has no global data section '.data.count'; its sections are "
                + "[.data.counters, .rodata, .data, .bss]"), compileTime);
        Compiler.Result unchecked = Compiler.compile(work, sources("t/WrongNested.java", wrong));
        assertTrue(unchecked.success(), unchecked::describe);
        Method open = unchecked.loader().loadClass("t.WrongNestedBinding").getMethod("open", Path.class);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> open.invoke(null, objects().resolve("binding.bpf.o")));
        LoadException le = assertInstanceOf(LoadException.class, e.getCause());
        for (String message : compileTime) {
            assertTrue(le.getMessage().contains(message), () -> le.getMessage() + "\nlacks\n" + message);
        }
    }

    @Test
    void generatedCodecsWriteTheCLayoutWithPaddingZeroed() throws Exception {
        Compiler.Result r = Compiler.compile(work, sources("t/Flows.java", FLOWS), objectDir());
        assertTrue(r.success(), r::describe);
        ClassLoader loader = r.loader();
        Codec<Object> stats = codec(loader, "t.FlowsBinding$FlowStatsCodec");
        Object inner = construct(loader, "t.Inner", (short) -2, 77);
        Object value = construct(loader, "t.FlowStats", 1L << 40, -1, inner, "curl", new int[] {5, 6, 7});
        assertEquals(48, stats.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64).fill((byte) 0x5a);
            stats.encode(value, s, 8);
            assertEquals(1L << 40, s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            assertEquals(-1, s.get(ValueLayout.JAVA_INT_UNALIGNED, 16));
            assertEquals((short) -2, s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 20));
            assertEquals(0, s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 22), "inner padding zeroed");
            assertEquals(77, s.get(ValueLayout.JAVA_INT_UNALIGNED, 24));
            assertEquals("curl", new String(s.asSlice(28, 4).toArray(ValueLayout.JAVA_BYTE)));
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 32), "comm NUL-padded");
            assertArrayEquals(new int[] {5, 6, 7}, new int[] {s.get(ValueLayout.JAVA_INT_UNALIGNED, 44),
                    s.get(ValueLayout.JAVA_INT_UNALIGNED, 48), s.get(ValueLayout.JAVA_INT_UNALIGNED, 52)});
            assertEquals((byte) 0x5a, s.get(ValueLayout.JAVA_BYTE, 56), "nothing written past the struct");
            Object back = stats.decode(s, 8);
            assertEquals(inner, call(back, "inner"));
            assertEquals("curl", call(back, "comm"));
            assertArrayEquals(new int[] {5, 6, 7}, (int[]) call(back, "hist"));
            assertEquals(1L << 40, call(back, "packets"));
        }
        Codec<Object> key = codec(loader, "t.FlowsBinding$FlowKeyCodec");
        assertEquals(8, key.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8).fill((byte) 0x5a);
            Object k = construct(loader, "t.FlowKey", 0x0a000001, (short) 443, (byte) 6);
            key.encode(k, s, 0);
            assertEquals(0x0a000001, s.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertEquals((short) 443, s.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4));
            assertEquals(6, s.get(ValueLayout.JAVA_BYTE, 6));
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 7), "tail padding zeroed");
            assertEquals(k, key.decode(s, 0));
        }
    }

    /**
     * A value that does not fit its C form fails alike through the generated codec and through
     * {@code RecordCodec}, made from the same record at run time: the same exception type and
     * the same message.
     */
    @Test
    void generatedAndRuntimeCodecsRefuseTheSameValuesAlike() throws Exception {
        Compiler.Result r = Compiler.compile(work, sources("t/Flows.java", FLOWS), objectDir());
        assertTrue(r.success(), r::describe);
        ClassLoader loader = r.loader();
        Codec<Object> generated = codec(loader, "t.FlowsBinding$FlowStatsCodec");
        @SuppressWarnings("unchecked")
        Codec<Object> reflective = (Codec<Object>) (Codec<?>) RecordCodec.of(loader.loadClass("t.FlowStats")
                .asSubclass(Record.class));
        Object inner = construct(loader, "t.Inner", (short) -2, 77);
        Map<String, Object> refused = new LinkedHashMap<>();
        refused.put("FlowStats.hist must have 3 elements (@Size), not 2",
                construct(loader, "t.FlowStats", 1L, 1, inner, "c", new int[2]));
        refused.put("FlowStats.inner is null: a C struct member has a value",
                construct(loader, "t.FlowStats", 1L, 1, null, "c", new int[3]));
        refused.put("FlowStats.comm is null: a C struct member has a value",
                construct(loader, "t.FlowStats", 1L, 1, inner, null, new int[3]));
        refused.put("FlowStats.hist is null: a C struct member has a value",
                construct(loader, "t.FlowStats", 1L, 1, inner, "c", null));
        refused.put("string of 16 UTF-8 bytes does not fit in char[16] with its NUL: 'sixteen-letters!'",
                construct(loader, "t.FlowStats", 1L, 1, inner, "sixteen-letters!", new int[3]));
        for (Map.Entry<String, Object> c : refused.entrySet()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = arena.allocate(48);
                CodecException viaGenerated = assertThrows(CodecException.class,
                        () -> generated.encode(c.getValue(), s, 0));
                CodecException viaReflection = assertThrows(CodecException.class,
                        () -> reflective.encode(c.getValue(), s, 0));
                assertEquals(c.getKey(), viaGenerated.getMessage());
                assertEquals(c.getKey(), viaReflection.getMessage());
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(48);
            var generatedNull = assertThrows(IllegalArgumentException.class, () -> generated.encode(null, s, 0));
            var reflectiveNull = assertThrows(IllegalArgumentException.class, () -> reflective.encode(null, s, 0));
            assertEquals(generatedNull.getMessage(), reflectiveNull.getMessage());
        }
    }

    @Test
    void outputIsTheSameOnEveryBuild() {
        Compiler.Result a = Compiler.compile(work, sources("t/Flows.java", FLOWS), objectDir());
        Compiler.Result b = Compiler.compile(work, sources("t/Flows.java", FLOWS));
        assertEquals(a.generated("t/FlowsBinding.java"), b.generated("t/FlowsBinding.java"));
    }

    @Test
    void withoutTheObjectANoteAndTheSameCheckWhenTheBindingOpens() throws Exception {
        String wrong = HEADER + """
                @BpfObject("binding.bpf.o")
                public interface Wrong extends AutoCloseable {
                    @Map BpfHashMap<Integer, Long> hits();
                    @Global int threshold();
                    void close();
                }
                """;
        Compiler.Result checked = Compiler.compile(work, sources("t/Wrong.java", wrong), objectDir());
        List<String> compileTime = checked.errors().stream().map(d -> d.getMessage(Locale.ROOT)).toList();
        assertEquals(2, compileTime.size(), checked::describe);

        Compiler.Result unchecked = Compiler.compile(work, sources("t/Wrong.java", wrong));
        assertTrue(unchecked.success(), unchecked::describe);
        Diagnostic<? extends JavaFileObject> note = unchecked.notes().getFirst();
        assertEquals("bpfkit: object 'binding.bpf.o' not found while compiling (class output, class path, source "
                + "path, -Abpfkit.objectDir): WrongBinding checks it when it opens it", note.getMessage(Locale.ROOT));

        Class<?> binding = unchecked.loader().loadClass("t.WrongBinding");
        Method open = binding.getMethod("open", Path.class);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> open.invoke(null, objects().resolve("binding.bpf.o")));
        LoadException le = assertInstanceOf(LoadException.class, e.getCause());
        assertEquals("t.Wrong", le.element());
        for (String message : compileTime) {
            assertTrue(le.getMessage().contains(message), () -> le.getMessage() + "\nlacks\n" + message);
        }
        InvocationTargetException missing = assertThrows(InvocationTargetException.class,
                () -> binding.getMethod("open").invoke(null));
        assertTrue(missing.getCause().getMessage().contains("the object 'binding.bpf.o' is not on the class path"),
                missing.getCause().getMessage());
    }

    @Test
    void objectFoundAsASourcePathResource() throws Exception {
        Path src = java.nio.file.Files.createDirectories(work.resolve("src/t"));
        java.nio.file.Files.copy(objects().resolve("binding.bpf.o"), src.resolve("binding.bpf.o"));
        String wrong = HEADER + """
                @BpfObject("binding.bpf.o")
                public interface OnSourcePath extends AutoCloseable {
                    @Map BpfArray<Integer> hits();
                    void close();
                }
                """;
        Compiler.Result r = Compiler.compile(work, sources("t/OnSourcePath.java", wrong), "-sourcepath",
                work.resolve("src").toString());
        assertEquals("map 'hits' value: Java __s32 is 4 bytes, the object's is 8 bytes (__u64)",
                r.onlyError().getMessage(Locale.ROOT));
        assertEquals(List.of(), r.notes());
    }

    /**
     * Fails unless generated source {@code src} holds every {@code expected} piece, white space
     * aside (JavaPoet wraps long lines).
     */
    static void assertGenerated(String src, String... expected) {
        String flat = src.replaceAll("\\s+", " ");
        for (String e : expected) {
            assertTrue(flat.contains(e.replaceAll("\\s+", " ")), () -> "missing '" + e + "' in\n" + src);
        }
    }

    // ---- reflection on the compiled test classes ------------------------------------------

    @SuppressWarnings("unchecked")
    static Codec<Object> codec(ClassLoader loader, String name) throws ReflectiveOperationException {
        Field f = loader.loadClass(name).getDeclaredField("INSTANCE");
        f.setAccessible(true);
        return (Codec<Object>) f.get(null);
    }

    static Object construct(ClassLoader loader, String name, Object... args) throws ReflectiveOperationException {
        Class<?> type = loader.loadClass(name);
        var ctor = type.getDeclaredConstructors()[0];
        ctor.setAccessible(true);
        return ctor.newInstance(args);
    }

    static Object call(Object target, String accessor) throws ReflectiveOperationException {
        Method m = target.getClass().getDeclaredMethod(accessor);
        m.setAccessible(true);
        return m.invoke(target);
    }
}
