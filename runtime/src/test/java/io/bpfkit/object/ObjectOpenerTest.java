package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.CoreReloKind;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.uapi.BpfFlags;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the opener makes of each test object, checked against what its C source declares. */
class ObjectOpenerTest {

    private static BpfObjectSpec open(String name) {
        return BpfObjects.open(TestObjects.path(name));
    }

    private static MapSpec map(BpfObjectSpec spec, String name) {
        return spec.map(name).orElseThrow(() -> new AssertionError("no map " + name + " in " + spec.maps()));
    }

    private static ProgramSpec program(BpfObjectSpec spec, String name) {
        return spec.program(name).orElseThrow(() -> new AssertionError("no program " + name));
    }

    private static void assertMap(MapSpec m, MapType type, long key, long value, long max, long flags) {
        assertEquals(type, m.mapType(), m.name());
        assertEquals(key, m.keySize(), m.name() + " key size");
        assertEquals(value, m.valueSize(), m.name() + " value size");
        assertEquals(max, m.maxEntries(), m.name() + " max entries");
        assertEquals(flags, m.flags(), m.name() + " flags");
    }

    @Test
    void btfDefinedMapsOfEveryKind() {
        BpfObjectSpec spec = open("maps_btf.bpf.o");
        assertMap(map(spec, "hash_typed"), MapType.HASH, 16, 16, 1024, 0);
        assertEquals("struct flow_key", map(spec, "hash_typed").keyType());
        assertEquals("struct flow_stats", map(spec, "hash_typed").valueType());
        assertMap(map(spec, "hash_sized"), MapType.HASH, 8, 24, 64, 1);
        assertEquals(0, map(spec, "hash_sized").keyTypeId());
        assertMap(map(spec, "hash_mixed"), MapType.HASH, 4, 12, 16, 0);
        assertTrue(map(spec, "hash_mixed").keyTypeId() > 0);
        assertEquals(0, map(spec, "hash_mixed").valueTypeId());
        assertMap(map(spec, "hash_numa"), MapType.HASH, 4, 8, 32, 4);
        assertEquals(0, map(spec, "hash_numa").numaNode());
        assertMap(map(spec, "array_mmap"), MapType.ARRAY, 4, 4, 1024, 0x400);
        assertMap(map(spec, "pcpu_hash"), MapType.PERCPU_HASH, 4, 16, 128, 0);
        assertMap(map(spec, "lru_hash"), MapType.LRU_HASH, 16, 16, 256, 2);
        assertMap(map(spec, "lru_pcpu_hash"), MapType.LRU_PERCPU_HASH, 4, 8, 64, 0);
        assertMap(map(spec, "lpm_v4"), MapType.LPM_TRIE, 8, 4, 256, 1);
        assertMap(map(spec, "fifo"), MapType.QUEUE, 0, 4, 32, 0);
        assertMap(map(spec, "lifo"), MapType.STACK, 0, 8, 16, 0);
        assertMap(map(spec, "seen"), MapType.BLOOM_FILTER, 0, 8, 100, 0);
        assertEquals(3, map(spec, "seen").mapExtra());
        assertMap(map(spec, "events_rb"), MapType.RINGBUF, 0, 0, 16384, 0);
        assertMap(map(spec, "events_perf"), MapType.PERF_EVENT_ARRAY, 4, 4, 0, 0);
        assertEquals(MapSpec.Pinning.BY_NAME, map(spec, "pinned_cnt").pinning());
        assertEquals(MapSpec.Pinning.NONE, map(spec, "array_u64").pinning());
        assertMap(map(spec, "a_map_name_longer_than_15"), MapType.ARRAY, 4, 4, 1, 0);
        spec.maps().stream().filter(m -> m.section().equals(".maps"))
                .forEach(m -> assertEquals(MapSpec.Definition.BTF, m.definition(), m.name()));
    }

    @Test
    void mapInMapAndProgramArrayInitialValues() {
        BpfObjectSpec spec = open("maps_btf.bpf.o");
        MapSpec jump = map(spec, "jump_table");
        assertMap(jump, MapType.PROG_ARRAY, 4, 4, 4, 0);
        assertEquals(List.of(new MapSlot(0, "tail_a"), new MapSlot(2, "tail_b")), jump.initialSlots());

        MapSpec outer = map(spec, "outer_array");
        assertMap(outer, MapType.ARRAY_OF_MAPS, 4, 4, 3, 0);
        assertEquals(List.of(new MapSlot(0, "inner_a"), new MapSlot(2, "inner_b")), outer.initialSlots());
        assertMap(outer.innerMap(), MapType.ARRAY, 4, 4, 4, 0);
        assertEquals(MapSpec.Definition.INNER, outer.innerMap().definition());

        MapSpec outerHash = map(spec, "outer_hash");
        assertEquals(MapType.HASH_OF_MAPS, outerHash.mapType());
        assertEquals(List.of(new MapSlot(1, "inner_h1")), outerHash.initialSlots());
        assertMap(outerHash.innerMap(), MapType.HASH, 4, 8, 8, 0);

        MapSpec inline = map(spec, "outer_inline");
        assertTrue(inline.initialSlots().isEmpty());
        assertMap(inline.innerMap(), MapType.ARRAY, 4, 8, 4, 0);
    }

    @Test
    void legacyMapsSection() {
        BpfObjectSpec spec = open("maps_legacy.bpf.o");
        assertMap(map(spec, "legacy_hash"), MapType.HASH, 4, 8, 128, 0);
        assertMap(map(spec, "legacy_array"), MapType.ARRAY, 4, 16, 4, 0);
        assertMap(map(spec, "legacy_lru"), MapType.LRU_HASH, 8, 8, 64, 2);
        assertMap(map(spec, "legacy_perf"), MapType.PERF_EVENT_ARRAY, 4, 4, 0, 0);
        for (String n : List.of("legacy_hash", "legacy_array", "legacy_lru", "legacy_perf")) {
            assertEquals(MapSpec.Definition.LEGACY, map(spec, n).definition());
            assertEquals(0, map(spec, n).keyTypeId());
        }
        ProgramSpec p = program(spec, "count_legacy");
        assertTrue(p.relocations().stream().anyMatch(r -> r.kind() == Relocation.Kind.MAP
                && r.target().equals("legacy_hash")), p.relocations().toString());
    }

    @Test
    void globalDataSectionsAndVariables() {
        BpfObjectSpec spec = open("globals.bpf.o");
        Map<String, MapSpec> bySection = spec.maps().stream()
                .collect(Collectors.toMap(MapSpec::section, Function.identity()));
        assertEquals(List.of(".data", ".rodata", ".data.custom", ".rodata.custom", ".bss"),
                spec.maps().stream().map(MapSpec::section).toList());
        assertEquals("globals.data", bySection.get(".data").name());
        assertEquals("globals.bss", bySection.get(".bss").name());
        assertEquals(".data.custom", bySection.get(".data.custom").name());
        MapSpec rodata = spec.dataMap(".rodata").orElseThrow();
        assertTrue(rodata.isReadOnlyData());
        assertEquals(0x480, rodata.flags()); // BPF_F_MMAPABLE | BPF_F_RDONLY_PROG
        assertEquals(0x400, spec.dataMap(".bss").orElseThrow().flags());

        GlobalVariable u64 = spec.dataMap(".data").orElseThrow().variable("data_u64").orElseThrow();
        assertEquals(8, u64.offset());
        assertEquals(8, u64.size());
        assertEquals("__u64", u64.type());
        assertEquals("global", u64.linkage());
        GlobalVariable st = spec.dataMap(".bss").orElseThrow().variable("bss_static").orElseThrow();
        assertEquals(40, st.offset());
        assertEquals("static", st.linkage());
        assertEquals("__u32[4]", spec.dataMap(".data").orElseThrow().variable("data_array").orElseThrow().type());

        // .bss starts all zeros (no bytes kept); .data carries its initializers.
        assertNull(spec.dataMap(".bss").orElseThrow().initialData());
        assertEquals(48, spec.dataMap(".bss").orElseThrow().valueSize());
        assertEquals(0x11, spec.dataMap(".data").orElseThrow().initialData()[0]);
        assertEquals(25, spec.globals().size());
    }

    @Test
    void bigEndianObjectOpensWithTheSameContent() {
        BpfObjectSpec le = open("globals.bpf.o");
        BpfObjectSpec be = open("globals.bpfeb.o");
        assertEquals(ByteOrder.LITTLE_ENDIAN, le.byteOrder());
        assertEquals(ByteOrder.BIG_ENDIAN, be.byteOrder());
        assertEquals(le.globals(), be.globals());
        assertEquals(le.maps().stream().map(MapSpec::toString).toList(), be.maps().stream().map(MapSpec::toString).toList());
        assertEquals(le.programs().stream().map(p -> p.name() + p.instructionCount() + p.relocations()).toList(),
                be.programs().stream().map(p -> p.name() + p.instructionCount() + p.relocations()).toList());
        BpfObjectSpec ple = open("programs.bpf.o");
        BpfObjectSpec pbe = open("programs.bpfeb.o");
        assertEquals(ple.programs().stream().map(p -> p.name() + p.type() + p.relocations()).toList(),
                pbe.programs().stream().map(p -> p.name() + p.type() + p.relocations()).toList());
    }

    @Test
    void programsSubprogramsAndRelocations() {
        BpfObjectSpec spec = open("programs.bpf.o");
        assertEquals("GPL", spec.license());
        assertEquals(0x060c00, spec.kernelVersion());
        assertEquals(List.of("sock_a", "sock_b"), spec.programs().stream()
                .filter(p -> p.section().equals("socket")).map(ProgramSpec::name).toList());
        assertEquals(ProgramType.SOCKET_FILTER, program(spec, "sock_b").type());

        for (String sub : List.of("count_hit", "mix_step", "rotate_bits", "loop_step")) {
            ProgramSpec p = program(spec, sub);
            assertTrue(p.isSubprogram(), sub);
            assertFalse(p.autoload(), sub);
            assertEquals(".text", p.section());
        }
        assertThrows(LoadException.class, () -> program(spec, "count_hit").autoload(true));

        ProgramSpec loop = program(spec, "run_loop");
        assertEquals(ProgramType.SYSCALL, loop.type());
        List<Relocation.Kind> kinds = loop.relocations().stream().map(Relocation::kind).toList();
        assertTrue(kinds.contains(Relocation.Kind.FUNCTION_POINTER), kinds.toString());
        assertTrue(kinds.contains(Relocation.Kind.CALL), kinds.toString());
        assertTrue(kinds.contains(Relocation.Kind.DATA), kinds.toString());
        Relocation fp = loop.relocations().stream().filter(r -> r.kind() == Relocation.Kind.FUNCTION_POINTER)
                .findFirst().orElseThrow();
        assertEquals(".text", fp.target());
        assertEquals(Instructions.OP_LD_IMM64, Instructions.opcode(loop.instructions(), fp.instruction()));
        Relocation data = loop.relocations().stream().filter(r -> r.kind() == Relocation.Kind.DATA)
                .findFirst().orElseThrow();
        assertEquals("programs.bss", data.target());

        ProgramSpec tp = program(spec, "getpid_a");
        assertEquals(ProgramType.TRACEPOINT, tp.type());
        assertEquals("syscalls/sys_enter_getpid", tp.attachTo());
        ProgramSpec btf = program(spec, "btf_enter");
        assertEquals(ProgramType.TRACING, btf.type());
        assertEquals(AttachType.TRACE_RAW_TP, btf.expectedAttachType());
        assertEquals("sys_enter", btf.attachTo());
        assertEquals("/proc/self/exe:bpfkit_uprobe_target", program(spec, "up_self").attachTo());
        assertTrue(program(spec, "up_sleepable").sectionDef().sleepable());
        assertEquals(BpfFlags.BPF_F_SLEEPABLE, program(spec, "up_sleepable").flags());
        assertNull(program(spec, "up_manual").attachTo());
        assertEquals(AttachType.TRACE_ITER, program(spec, "dump_task").expectedAttachType());
    }

    @Test
    void btfExtRecordsAreRelativeToTheirProgram() {
        BpfObjectSpec spec = open("programs.bpf.o");
        for (ProgramSpec p : spec.programs()) {
            ProgramExtInfo ext = p.extInfo();
            assertFalse(ext.funcInfo().isEmpty(), p.name() + " has func_info");
            assertEquals(0, ext.funcInfo().getFirst().insnIndex(), p.name() + ": first func_info at insn 0");
            assertEquals(BtfKind.FUNC, spec.btf().orElseThrow().kind(ext.funcInfo().getFirst().typeId()));
            assertEquals(p.name(), spec.btf().orElseThrow().name(ext.funcInfo().getFirst().typeId()));
            assertFalse(ext.lineInfo().isEmpty(), p.name() + " has line_info");
            ext.lineInfo().forEach(l -> assertTrue(l.insnIndex() >= 0 && l.insnIndex() < p.instructionCount()));
            assertTrue(ext.lineInfo().getFirst().fileName().endsWith("programs.bpf.c"));
        }
    }

    @Test
    void coreRelocationRecords() {
        BpfObjectSpec spec = open("core.bpf.o");
        ProgramSpec p = program(spec, "core_getpid");
        List<CoreReloKind> kinds = p.extInfo().coreRelocations().stream()
                .map(r -> r.kind()).distinct().toList();
        for (CoreReloKind k : List.of(CoreReloKind.FIELD_BYTE_OFFSET, CoreReloKind.FIELD_EXISTS,
                CoreReloKind.FIELD_BYTE_SIZE, CoreReloKind.TYPE_EXISTS, CoreReloKind.ENUMVAL_EXISTS,
                CoreReloKind.ENUMVAL_VALUE)) {
            assertTrue(kinds.contains(k), k + " in " + kinds);
        }
        p.extInfo().coreRelocations().forEach(r -> assertTrue(r.insnIndex() < p.instructionCount()));
    }

    @Test
    void kconfigAndKsymsExterns() {
        BpfObjectSpec spec = open("externs.bpf.o");
        Map<String, GlobalVariable> externs = spec.externs().stream()
                .collect(Collectors.toMap(GlobalVariable::name, Function.identity()));
        assertEquals("extern", externs.get("LINUX_KERNEL_VERSION").linkage());
        assertEquals("extern weak", externs.get("CONFIG_HZ").linkage());
        assertEquals(".kconfig", externs.get("CONFIG_LOCALVERSION").section());
        assertEquals(16, externs.get("CONFIG_LOCALVERSION").size());
        assertEquals(".ksyms", externs.get("bpf_prog_put").section());
        assertEquals("func", externs.get("bpf_task_from_pid").type());
        // libbpf's kconfig layout: alignment first (largest), then size, then name.
        MapSpec kconfig = spec.maps().stream().filter(m -> m.definition() == MapSpec.Definition.KCONFIG)
                .findFirst().orElseThrow();
        assertEquals("externs.kconfig", kconfig.name());
        assertEquals(33, kconfig.valueSize());
        ProgramSpec p = program(spec, "read_externs");
        assertTrue(p.relocations().stream().anyMatch(r -> r.kind() == Relocation.Kind.EXTERN_CALL
                && r.target().equals("bpf_task_from_pid")));
        assertTrue(p.relocations().stream().anyMatch(r -> r.kind() == Relocation.Kind.EXTERN_VARIABLE
                && r.target().equals("LINUX_KERNEL_VERSION")));
    }

    @Test
    void unknownSectionOpensAndCanBeGivenAType() {
        BpfObjectSpec spec = open("unknown_section.bpf.o");
        ProgramSpec mystery = program(spec, "mystery");
        assertFalse(mystery.sectionDef().known());
        assertEquals(ProgramType.UNSPEC, mystery.type());
        assertEquals(ProgramType.SOCKET_FILTER, program(spec, "known").type());
        mystery.type(ProgramType.SOCKET_FILTER);
        assertEquals(ProgramType.SOCKET_FILTER, mystery.type());
    }

    @Test
    void specIsAdjustableAndCopiesAreIndependent() {
        BpfObjectSpec spec = open("globals.bpf.o");
        BpfObjectSpec copy = spec.copy();
        MapSpec ro = copy.dataMap(".rodata").orElseThrow();
        byte[] before = spec.dataMap(".rodata").orElseThrow().initialData();
        ro.setVariable("ro_u32", new byte[] {1, 2, 3, 4});
        assertArrayEquals(new byte[] {1, 2, 3, 4}, java.util.Arrays.copyOfRange(ro.initialData(), 4, 8));
        assertArrayEquals(before, spec.dataMap(".rodata").orElseThrow().initialData(), "the original is untouched");
        LoadException wrongSize = assertThrows(LoadException.class,
                () -> ro.setVariable("ro_u32", new byte[8]));
        assertTrue(wrongSize.getMessage().contains("4 bytes"), wrongSize.getMessage());
        assertThrows(LoadException.class, () -> ro.setVariable("nope", new byte[4]));

        MapSpec data = copy.dataMap(".data").orElseThrow();
        data.maxEntries(7).flags(0);
        assertEquals(1, spec.dataMap(".data").orElseThrow().maxEntries());
        copy.program("read_globals").orElseThrow().autoload(false);
        assertTrue(spec.program("read_globals").orElseThrow().autoload());
        assertThrows(IllegalArgumentException.class, () -> data.maxEntries(-1));
    }

    @Test
    void openFromBytesEqualsOpenFromFile() {
        BpfObjectSpec fromFile = open("maps_btf.bpf.o");
        BpfObjectSpec fromBytes = BpfObjects.open(TestObjects.bytes("maps_btf.bpf.o"), "maps_btf.bpf.o");
        assertEquals(fromFile.name(), fromBytes.name());
        assertEquals(fromFile.maps().toString(), fromBytes.maps().toString());
        assertNotNull(fromBytes.btf().orElseThrow());
    }

    @Test
    void badFilesNameFileAndProblem() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BpfObjects.open(new byte[] {0x7f, 'E', 'L', 'F'}, "tiny.o"));
        assertEquals("tiny.o", e.file());
        assertTrue(e.getMessage().startsWith("tiny.o: "), e.getMessage());
        assertNull(e.getCause());

        ObjectFormatException missing = assertThrows(ObjectFormatException.class,
                () -> BpfObjects.open(TestObjects.dir().resolve("no-such.o")));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

        byte[] obj = TestObjects.bytes("globals.bpf.o");
        obj[18] = 62; // e_machine = x86-64
        ObjectFormatException wrongArch = assertThrows(ObjectFormatException.class, () -> BpfObjects.open(obj, "x.o"));
        assertTrue(wrongArch.getMessage().contains("not an eBPF object"), wrongArch.getMessage());
    }

    @Test
    void everyTestObjectOpens() {
        for (var path : TestObjects.all()) {
            BpfObjectSpec spec = BpfObjects.open(path);
            assertFalse(spec.programs().isEmpty(), path.toString());
        }
    }
}
