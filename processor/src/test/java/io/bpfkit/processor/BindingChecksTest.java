package io.bpfkit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check the processor makes, one wrong declaration each: the message, and the method
 * (and where there is one, the annotation value) javac points at. The object is
 * {@code binding.bpf.o}; see its header for what it holds.
 */
class BindingChecksTest {
    @TempDir
    Path work;

    /** Compiles an interface with {@code method} (and close) against the object; one error expected. */
    private Diagnostic<? extends JavaFileObject> error(String method, String expectedMessage) {
        return error(method, expectedMessage, "extends AutoCloseable");
    }

    /** As {@link #error(String, String)}, with one more record {@code name} declared as {@code record}. */
    private Diagnostic<? extends JavaFileObject> error(String method, String expectedMessage, String name,
            String record) {
        return compileOne(method, expectedMessage, "extends AutoCloseable", "t/" + name + ".java", record);
    }

    private Compiler.Result result;

    private Diagnostic<? extends JavaFileObject> error(String method, String expectedMessage, String ext) {
        return compileOne(method, expectedMessage, ext);
    }

    private Diagnostic<? extends JavaFileObject> compileOne(String method, String expectedMessage, String ext,
            String... more) {
        String src = BindingProcessorTest.HEADER + "@BpfObject(\"binding.bpf.o\")\npublic interface Checked " + ext
                + " {\n    " + method + "\n    void close();\n}\n";
        result = Compiler.compile(work, BindingProcessorTest.sources("t/Checked.java", src, more),
                BindingProcessorTest.objectDir());
        assertFalse(result.success(), "compiled though it should not");
        Diagnostic<? extends JavaFileObject> d = result.onlyError();
        if (expectedMessage != null) {
            assertEquals(expectedMessage, d.getMessage(Locale.ROOT));
        }
        return d;
    }

    /** The error is on the method's line and points at {@code pointedAt}. */
    private void at(Diagnostic<? extends JavaFileObject> d, String line, String pointedAt) {
        assertEquals(line, result.line(d));
        if (pointedAt != null) {
            assertEquals(pointedAt, result.pointedAt(d));
        }
    }

    // ---- names that the object lacks ------------------------------------------------------

    @Test
    void mapMissing() {
        String m = "@Map(\"flowz\") BpfHashMap<FlowKey, FlowStats> flows();";
        at(error(m, "object 'binding' has no map 'flowz'; its maps are [table0, tables, hits, flows, per_cpu, tenants, events, "
                + "cycles, commands]"),
                m, "\"flowz\"");
    }

    @Test
    void programMissing() {
        String m = "@Program(\"on_exit\") BpfProgram onExit();";
        at(error(m, "object 'binding' has no program 'on_exit'; its programs are [on_enter, on_xdp]"), m,
                "\"on_exit\"");
    }

    @Test
    void globalMissingByDefaultName() {
        String m = "@Global long totalCount();";
        at(error(m, "object 'binding' has no global variable 'total_count'; its globals are [misses "
                + "(.data.counters), target_pid (.rodata), threshold (.rodata), level (.data), name (.data), last "
                + "(.bss), total (.bss), unused_event (.bss)]"), m, null);
    }

    // ---- map handles and their types ------------------------------------------------------

    @Test
    void handleDoesNotFitTheMapType() {
        String m = "@Map(\"hits\") BpfHashMap<Integer, Long> hits();";
        at(error(m, "BpfHashMap does not fit map 'hits' (type array); declare it as BpfArray"), m, null);
    }

    @Test
    void valueSizeDiffers() {
        String m = "@Map BpfArray<Integer> hits();";
        at(error(m, "map 'hits' value: Java __s32 is 4 bytes, the object's is 8 bytes (__u64)"), m, null);
    }

    @Test
    void keySizeDiffers() {
        String m = "@Map BpfHashMap<Integer, FlowStats> flows();";
        at(error(m, "map 'flows' key: Java __s32 is 4 bytes, the object's is 8 bytes (struct flow_key)"), m, null);
    }

    @Test
    void keyKindDiffers() {
        String m = "@Map BpfHashMap<Long, FlowStats> flows();";
        at(error(m, "map 'flows' key does not match the object's struct flow_key: __s64 is an integer (Java __s64), "
                + "the object has struct flow_key"), m, null);
    }

    @Test
    void signednessDiffers() {
        String m = "@Map BpfArray<Long> hits();";
        at(error(m, "map 'hits' value does not match the object's __u64: __s64 is __s64 (signed: add @Unsigned), the "
                + "object has __u64 (BTF int encoding: unsigned)"), m, null);
    }

    @Test
    void rawBytesStandForAnyTypeOfTheirSize() {
        // what bpfkit gen writes for unions, bit fields and arrays of arrays: the type's bytes
        String src = BindingProcessorTest.HEADER + "@BpfObject(\"binding.bpf.o\")\npublic interface Raw extends "
                + "AutoCloseable {\n    @Map BpfHashMap<@Size(8) byte[], @Size(48) byte[]> flows();\n"
                + "    @Map BpfArray<@Size(8) byte[]> hits();\n    void close();\n}\n";
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Raw.java", src),
                BindingProcessorTest.objectDir());
        assertTrue(r.success(), r.describe());
        String m = "@Map BpfHashMap<@Size(7) byte[], FlowStats> flows();";
        at(error(m, "map 'flows' key: Java __s8[7] is 7 bytes, the object's is 8 bytes (struct flow_key)"), m, null);
    }

    @Test
    void recordMemberNameDiffers() {
        String m = "@Map BpfHashMap<Key2, FlowStats> flows();";
        at(error(m, "map 'flows' key does not match the object's struct flow_key: member 0 of record Key2 is 'addr', "
                + "struct flow_key has 'saddr' there", "Key2", "public record Key2(@Unsigned int addr, @Unsigned short "
                + "sport, @Unsigned byte proto) {}"), m, null);
    }

    @Test
    void recordMemberSizeDiffers() {
        String m = "@Map BpfHashMap<Key3, FlowStats> flows();";
        at(error(m, "map 'flows' key does not match the object's struct flow_key: struct Key3.saddr is 2 bytes (Java __u16), "
                + "__u32 is 4 bytes", "Key3", "public record Key3(@Unsigned short saddr, "
                + "@Unsigned short sport, @Unsigned int proto) {}"), m, null);
    }

    @Test
    void nestedRecordMemberDiffers() {
        String m = "@Map BpfHashMap<FlowKey, Stats2> flows();";
        at(compileOne(m, "map 'flows' value does not match the object's struct flow_stats: struct Stats2.inner.a is 4 "
                + "bytes (Java __s32), __s16 is 2 bytes", "extends AutoCloseable", "t/In2.java",
                "public record In2(int a, int b) {}", "t/Stats2.java", "public record Stats2(@Unsigned long packets, "
                + "@Unsigned int bytes, In2 inner, @Size(16) String comm, @Size(3) int[] hist) {}"), m, null);
    }

    @Test
    void arrayLengthDiffers() {
        String m = "@Map BpfHashMap<FlowKey, Stats3> flows();";
        at(error(m, "map 'flows' value does not match the object's struct flow_stats: struct Stats3.hist has 2 "
                + "elements (@Size), the object's __s32[3] has 3", "Stats3", "public record Stats3(@Unsigned long "
                + "packets, @Unsigned int bytes, Inner inner, @Size(16) String comm, @Size(2) int[] hist, int more) {}"),
                m, null);
    }

    @Test
    void structNameDiffers() {
        String m = "@Map BpfHashMap<FlowKey, Named> flows();";
        at(error(m, "map 'flows' value does not match the object's struct flow_stats: struct flow_stat: "
                + "@CStruct(\"flow_stat\") but the object has struct flow_stats", "Named", "@CStruct(\"flow_stat\") "
                + "public record Named(@Unsigned long packets, @Unsigned int bytes, Inner inner, @Size(16) String comm, "
                + "@Size(3) int[] hist) {}"), m, null);
    }

    // ---- maps of maps ---------------------------------------------------------------------

    @Test
    void mapOfMapsHandleOnAnotherMapType() {
        String m = "@Map BpfArrayOfMaps<BpfArray<@Unsigned Long>> hits();";
        at(error(m, "BpfArrayOfMaps does not fit map 'hits' (type array); declare it as BpfArray"), m, null);
    }

    @Test
    void arrayOfMapsHandleOnAHashOfMaps() {
        String m = "@Map BpfArrayOfMaps<BpfArray<@Unsigned Long>> tenants();";
        at(error(m, "BpfArrayOfMaps does not fit map 'tenants' (type hash_of_maps); declare it as BpfHashOfMaps"), m,
                null);
    }

    @Test
    void hashOfMapsKeySizeDiffers() {
        String m = "@Map BpfHashOfMaps<Long, BpfArray<@Unsigned Long>> tenants();";
        at(error(m, "map 'tenants' key: Java __s64 is 8 bytes, the object's is 4 bytes (__u32)"), m, null);
    }

    @Test
    void innerHandleDoesNotFitTheInnerMapTemplate() {
        String m = "@Map BpfArrayOfMaps<BpfHashMap<Integer, Long>> tables();";
        at(error(m, "inner map handle BpfHashMap does not fit the inner maps of map 'tables' (type array); declare "
                + "it as BpfArray"), m, null);
    }

    @Test
    void innerValueSizeDiffers() {
        String m = "@Map BpfHashOfMaps<@Unsigned Integer, BpfArray<Integer>> tenants();";
        at(error(m, "the inner maps of map 'tenants' value: Java __s32 is 4 bytes, the object's is 8 bytes (__u64)"),
                m, null);
    }

    @Test
    void innerValueSignednessDiffers() {
        String m = "@Map BpfArrayOfMaps<BpfArray<Long>> tables();";
        at(error(m, "the inner maps of map 'tables' value does not match the object's __u64: __s64 is __s64 (signed: "
                + "add @Unsigned), the object has __u64 (BTF int encoding: unsigned)"), m, null);
    }

    @Test
    void innerMapsAreNotMapsOfMaps() {
        String m = "@Map BpfArrayOfMaps<BpfArrayOfMaps<BpfArray<Long>>> tables();";
        at(error(m, "the inner maps of map 'tables' cannot be BpfArrayOfMaps: the kernel nests maps of maps one "
                + "level deep"), m, null);
    }

    @Test
    void innerHandleIsATypedHandle() {
        String m = "@Map BpfArrayOfMaps<BpfMap> tables();";
        at(error(m, "the inner map handle of map 'tables' must be a map handle of io.bpfkit.api.map (BpfHashMap, "
                + "BpfArray, BpfPerCpuArray, BpfRingBufferMap, ...), not io.bpfkit.api.map.BpfMap"), m, null);
    }

    // ---- whole global sections and ring buffer records ------------------------------------

    @Test
    void globalSectionMissing() {
        String m = "@Map(\".data.count\") BpfGlobals counters();";
        at(error(m, "object 'binding' has no global data section '.data.count'; its sections are [.data.counters, "
                + ".rodata, .data, .bss]"), m, "\".data.count\"");
    }

    @Test
    void globalSectionMissingByDefaultName() {
        String m = "@Map BpfGlobals dataCounter();";
        at(error(m, "object 'binding' has no global data section '.data.counter'; its sections are [.data.counters, "
                + ".rodata, .data, .bss]"), m, null);
    }

    @Test
    void aWholeSectionIsAMapNotAGlobal() {
        String m = "@Global(\".data.counters\") BpfGlobals counters();";
        at(error(m, "@Global is one variable; a whole section is a map: @Map(\".data.counters\") BpfGlobals "
                + "counters()"), m, null);
    }

    @Test
    void ringBufferRecordDiffersFromTheStructOfItsName() {
        String m = "@Map BpfRingBuffer<Event> events();";
        at(error(m, "map 'events' records does not match the object's struct event: member 1 of record Event is "
                + "'core', struct event has 'cpu' there", "Event", "public record Event(@Unsigned int pid, @Unsigned "
                + "int core, @Unsigned long ts) {}"), m, null);
    }

    @Test
    void recordRingBufferOnAnotherMapType() {
        String m = "@Map BpfRingBuffer<Event> hits();";
        at(error(m, "BpfRingBuffer does not fit map 'hits' (type array); declare it as BpfArray", "Event",
                "public record Event(@Unsigned int pid, @Unsigned int cpu, @Unsigned long ts) {}"), m, null);
    }

    @Test
    void userRingBufferRecordDiffersFromTheStructOfItsName() {
        String m = "@Map BpfUserRingBuffer<Event> commands();";
        at(error(m, "map 'commands' records does not match the object's struct event: struct Event is 12 bytes (Java "
                + "struct Event), struct event is 16 bytes", "Event", "public record Event(@Unsigned int "
                + "pid, @Unsigned int cpu, @Unsigned int ts) {}"), m, null);
    }

    @Test
    void userRingBufferOnAKernelToUserRingBuffer() {
        String m = "@Map BpfUserRingBuffer<Event> events();";
        at(error(m, "BpfUserRingBuffer does not fit map 'events' (type ringbuf); declare it as BpfRingBufferMap",
                "Event", "public record Event(@Unsigned int pid, @Unsigned int cpu, @Unsigned long ts) {}"), m, null);
    }

    // ---- globals --------------------------------------------------------------------------

    @Test
    void globalTypeDiffers() {
        String m = "@Global void threshold(int t);";
        at(error(m, "global 'threshold' (.rodata): Java __s32 is 4 bytes, the object's volatile const __s64 is 8 "
                + "bytes"), m, null);
    }

    @Test
    void globalStringLengthDiffers() {
        String m = "@Global void name(@Size(4) String n);";
        at(error(m, "global 'name' (.data): Java char[4] is 4 bytes, the object's char[8] is 8 bytes"), m, null);
    }

    // ---- programs and PMU counters --------------------------------------------------------

    @Test
    void autoAttachNeedsATargetInTheSection() {
        String m = "@Program(value = \"on_xdp\", autoAttach = true) BpfProgram onXdp();";
        at(error(m, "program 'on_xdp' cannot auto-attach: section 'xdp' (xdp): it names no attach target; set "
                + "autoAttach = false and attach it with io.bpfkit.link.Attach"), m, "true");
    }

    @Test
    void pmuCounterNeedsAPerfEventArray() {
        String m = "@HwPmu(map = \"hits\", event = \"cycles\") PmuCounter cycles();";
        at(error(m, "map 'hits' has type array: PMU counters live in a perf_event_array map"), m, "\"hits\"");
    }

    @Test
    void pmuCounterIndexLeavesAGap() {
        String m = "@HwPmu(event = \"cycles\", counter = 2) PmuCounter cycles();";
        at(error(m, "map 'cycles' declares 0 PMU counters: counter 2 would leave a gap (the next is 0)"), m, "2");
    }

    @Test
    void misspelledHardwareEvent() {
        String m = "@HwPmu(event = \"cylces\", fallback = \"cpu-clock\") PmuCounter cycles();";
        Diagnostic<? extends JavaFileObject> d = compileOne(m, null, "extends AutoCloseable");
        String message = d.getMessage(Locale.ROOT);
        assertTrue(message.startsWith("map 'cycles' counter 0: perf event 'cylces': unknown event: did you mean "
                + "'cycles'? Built-in events: hardware [branch-instructions, "), message);
        at(d, m, "\"cylces\"");
    }

    @Test
    void fallbackWithAnUnknownModifier() {
        String m = "@HwPmu(event = \"cycles\", fallback = \"cpu-clock:q\") PmuCounter cycles();";
        at(error(m, "map 'cycles' counter 0: perf event 'cpu-clock:q': unknown modifier 'q' (bpfkit knows u, k, h "
                + "and p)"), m, "\"cpu-clock:q\"");
    }

    @Test
    void malformedPmuEventIsRefusedEvenWithoutTheObject() {
        String src = BindingProcessorTest.HEADER + "@BpfObject(\"elsewhere.bpf.o\")\npublic interface Checked extends "
                + "AutoCloseable {\n    @HwPmu(map = \"c\", event = \"cpu/event=0x3c\") PmuCounter c();\n    void close();\n}\n";
        result = Compiler.compile(work, BindingProcessorTest.sources("t/Checked.java", src));
        Diagnostic<? extends JavaFileObject> d = result.onlyError();
        assertEquals("map 'c' counter 0: perf event 'cpu/event=0x3c': expected pmu/terms/, e.g. cpu/event=0x3c/",
                d.getMessage(Locale.ROOT));
        assertEquals("\"cpu/event=0x3c\"", result.pointedAt(d));
    }

    // ---- checks that need no object -------------------------------------------------------

    @Test
    void interfaceMustBeCloseable() {
        Diagnostic<? extends JavaFileObject> d = error("@Map BpfRingBufferMap events();", "a @BpfObject interface "
                + "must extend AutoCloseable: closing it closes the loaded object", "");
        assertEquals("public interface Checked  {", result.line(d));
    }

    @Test
    void methodWithoutAnnotation() {
        String m = "int something();";
        at(error(m, "method something has no bpfkit annotation: use @Map, @Program, @Global or @HwPmu (or make it "
                + "default)"), m, null);
    }

    @Test
    void mapReturnTypeIsNotAHandle() {
        String m = "@Map java.util.Map<Integer, Long> hits();";
        at(error(m, "@Map methods return a map handle of io.bpfkit.api.map (BpfHashMap, BpfArray, BpfPerCpuArray, "
                + "BpfRingBufferMap, ...), not java.util.Map<java.lang.Integer,java.lang.Long>"), m, null);
    }

    @Test
    void stringNeedsASize() {
        String m = "@Global String name();";
        at(error(m, "global 'name' is a String (a C char[N]): give its length with @Size(N)"), m, null);
    }

    @Test
    void recordComponentWithoutCLayout() {
        String m = "@Map BpfHashMap<FlowKey, Bad> flows();";
        Diagnostic<? extends JavaFileObject> d = error(m, "Bad.o has type java.lang.Object, which has no C layout: use "
                + "a primitive (or its box), a record, or a @Size array or String", "Bad", "public record Bad(Object o) "
                + "{}");
        assertEquals("public record Bad(Object o) {}", result.line(d));
    }

    @Test
    void globalSignatureIsAGetterOrASetter() {
        String m = "@Global int level(int a, int b);";
        at(error(m, "@Global methods are getters (T level()) or setters (void level(T value))"), m, null);
    }

    @Test
    void programReturnsBpfProgram() {
        String m = "@Program int onEnter();";
        at(error(m, "@Program methods return io.bpfkit.api.BpfProgram, not int"), m, null);
    }

    @Test
    void unsignedOnFloatingPoint() {
        String m = "@Global void level(@Unsigned float f);";
        at(error(m, "global 'level': @Unsigned is for integers, not float"), m, null);
    }

    @Test
    void aFittingInterfaceHasNoError() {
        String src = BindingProcessorTest.HEADER + "@BpfObject(\"binding.bpf.o\")\npublic interface Fine extends "
                + "AutoCloseable {\n    @Map BpfArray<@Unsigned Long> hits();\n    void close();\n}\n";
        Compiler.Result r = Compiler.compile(work, BindingProcessorTest.sources("t/Fine.java", src),
                BindingProcessorTest.objectDir());
        assertTrue(r.success(), r::describe);
    }
}
