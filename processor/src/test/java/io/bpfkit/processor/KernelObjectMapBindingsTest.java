package io.bpfkit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @Map} methods returning the handles of maps of kernel objects and arenas, against
 * {@code binding_kernel_maps.bpf.o} (see its header): the factories the binding calls, the
 * edits it offers, and the checks of kind, key and value.
 */
class KernelObjectMapBindingsTest {
    @TempDir
    Path work;

    static final String RECORDS = """
            record ConnKey(@Unsigned int addr, @Unsigned short port) {}
            record TaskValue(@Unsigned long magic, @Unsigned int tid, @Unsigned int runs) {}
            """;

    private Compiler.Result compile(String methods) {
        String src = BindingProcessorTest.HEADER + "@BpfObject(\"binding_kernel_maps.bpf.o\")\n"
                + "public interface KernelMaps extends AutoCloseable {\n" + methods + "\n    void close();\n"
                + RECORDS + "}\n";
        return Compiler.compile(work, BindingProcessorTest.sources("t/KernelMaps.java", src),
                BindingProcessorTest.objectDir());
    }

    private List<String> errors(String methods) {
        Compiler.Result r = compile(methods);
        assertFalse(r.success(), "compiled though it should not");
        return r.errors().stream().map(d -> d.getMessage(Locale.ROOT)).toList();
    }

    @Test
    void everyKindBindsToItsFactory() {
        Compiler.Result r = compile("""
                    @Map BpfStackTraceMap stacks();
                    @Map BpfSockMap socks();
                    @Map BpfSockHash<ConnKey> sockHash();
                    @Map BpfDevMap ports();
                    @Map BpfDevMap portsHash();
                    @Map BpfCpuMap cpus();
                    @Map BpfXskMap xsks();
                    @Map BpfLocalStorage<TaskValue> taskStore();
                    @Map BpfLocalStorage<@Unsigned Long> skStore();
                    @Map BpfArena arena();
                """);
        assertTrue(r.success(), r::describe);
        String src = r.generated("t/KernelMapsBinding.java").replaceAll("\\s+", " ").replace("( ", "(");
        for (String expected : List.of(
                "BpfMaps.stackTrace(object, \"stacks\")",
                "BpfMaps.sockMap(object, \"socks\")",
                "BpfMaps.sockHash(object, \"sock_hash\", ConnKeyCodec.INSTANCE)",
                "BpfMaps.devMap(object, \"ports\")",
                "BpfMaps.devMap(object, \"ports_hash\")",
                "BpfMaps.cpuMap(object, \"cpus\")",
                "BpfMaps.xskMap(object, \"xsks\")",
                "BpfMaps.localStorage(object, \"task_store\", TaskValueCodec.INSTANCE)",
                "BpfMaps.localStorage(object, \"sk_store\", Codecs.int64())",
                "BpfMaps.arena(object, \"arena\")",
                "HandleKind.LOCAL_STORAGE",
                "HandleKind.ARENA",
                "public Open stacksMaxEntries(long maxEntries)",
                "public Open arenaMaxEntries(long maxEntries)")) {
            assertTrue(src.contains(expected), () -> "lacks " + expected + " in\n" + src);
        }
        assertFalse(src.contains("taskStoreMaxEntries"), "local storage has no max_entries to set");
    }

    @Test
    void aHandleOfAnotherKindNamesTheRightOne() {
        assertEquals(List.of("BpfDevMap does not fit map 'cpus' (type cpumap); declare it as BpfCpuMap"),
                errors("@Map(\"cpus\") BpfDevMap cpus();"));
        assertEquals(List.of("BpfSockMap does not fit map 'sock_hash' (type sockhash); declare it as BpfSockHash"),
                errors("@Map BpfSockMap sockHash();"));
        assertEquals(List.of("BpfArena does not fit map 'stacks' (type stack_trace); declare it as BpfStackTraceMap"),
                errors("@Map(\"stacks\") BpfArena stacks();"));
        assertEquals(List.of("BpfHashMap does not fit map 'task_store' (type task_storage); declare it as "
                + "BpfLocalStorage"), errors("@Map BpfHashMap<Integer, TaskValue> taskStore();"));
    }

    @Test
    void keysAndValuesAreCheckedAgainstTheObject() {
        assertEquals(List.of("map 'task_store' value: Java __u64 is 8 bytes, the object's is 16 bytes "
                + "(struct task_value)"), errors("@Map BpfLocalStorage<@Unsigned Long> taskStore();"));
        assertEquals(List.of("map 'sock_hash' key does not match the object's struct conn_key: __u64 is an integer "
                + "(Java __u64), the object has struct conn_key"),
                errors("@Map BpfSockHash<@Unsigned Long> sockHash();"));
    }

    @Test
    void typeArgumentsFollowTheKind() {
        assertEquals(List.of("BpfLocalStorage needs 1 type arguments"),
                errors("@Map BpfLocalStorage taskStore();"));
    }
}
