package io.bpfkit.fuzz;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfCHeader;
import io.bpfkit.btf.BtfDump;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.Relocation;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;

/**
 * The contract of the open phase, checked on one input:
 * <ul>
 * <li>{@link BpfObjects#open(byte[], String)} returns a spec or throws an
 *     {@link ObjectFormatException} with no cause (a cause means the opener's safety net caught
 *     an internal error: a bug);
 * <li>every accessor of the spec works; BTF type lookups, {@code resolveSize},
 *     {@code skipModifiers*}, {@link BtfDump} and {@link BtfCHeader} may only throw an {@code ObjectFormatException}
 *     (for type cycles);
 * <li>{@link ElfFile#parse}, {@link Btf#parse} and {@link BtfExt#parse} called directly on the
 *     same bytes (and the {@code .BTF} and {@code .BTF.ext} sections) hold to the same contract.
 * </ul>
 * A broken contract is thrown as a {@link ContractViolation}.
 */
public final class Oracle {
    /** What happened to an input that kept the contract. */
    public record Outcome(boolean opened, String rejectedBy) {
        /** A short label for statistics: {@code opened}, or where the input was refused. */
        public String label() {
            return opened ? "opened" : "refused: " + rejectedBy;
        }
    }

    /**
     * What opening may allocate beyond 16 bytes per input byte: a small file must not cost
     * gigabytes (a {@code .bss} claims its size for free, for example).
     */
    public static final long ALLOCATION_LIMIT = 256L << 20;

    private static final MethodHandle ALLOCATION_COUNTER = allocationCounter();

    private Oracle() {
    }

    /** Bytes allocated so far by the current thread, or -1 where the JDK does not count them. */
    public static long allocatedBytes() {
        MethodHandle h = ALLOCATION_COUNTER;
        if (h == null) {
            return -1;
        }
        try {
            return (long) h.invokeExact();
        } catch (Throwable e) {
            return -1;
        }
    }

    /**
     * {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes} bound to the
     * platform bean, or null where the JDK has none. Looked up reflectively: the test classes
     * are compiled into the runtime module, which does not read {@code java.management}.
     */
    private static MethodHandle allocationCounter() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            if (!type.isInstance(bean)) {
                return null;
            }
            MethodHandle h = MethodHandles.publicLookup().findVirtual(type, "getCurrentThreadAllocatedBytes",
                    MethodType.methodType(long.class)).bindTo(bean);
            long probe = (long) h.invokeExact();
            return probe >= 0 ? h : null;
        } catch (Throwable e) {
            return null;
        }
    }

    /**
     * Checks one input.
     *
     * @throws ContractViolation when the contract is broken
     */
    public static Outcome check(byte[] data) {
        BpfObjectSpec spec;
        Outcome outcome;
        long before = allocatedBytes();
        try {
            spec = BpfObjects.open(data, "fuzz.bpf.o");
            outcome = new Outcome(true, null);
        } catch (ObjectFormatException e) {
            if (e.getCause() != null) {
                throw new ContractViolation("BpfObjects.open wrapped an internal error: " + e.getMessage(),
                        e.getCause());
            }
            spec = null;
            outcome = new Outcome(false, e.section() == null ? "file headers" : e.section());
        } catch (Throwable t) {
            throw new ContractViolation("BpfObjects.open threw " + t, t);
        }
        long used = before < 0 ? 0 : allocatedBytes() - before;
        long limit = ALLOCATION_LIMIT + 16L * data.length;
        if (used > limit) {
            // Measure again: the first open in a JVM also loads (and under Jazzer instruments)
            // classes, on this thread.
            long again = allocatedBytes();
            try {
                BpfObjects.open(data, "fuzz.bpf.o");
            } catch (Throwable t) {
                // the outcome is known already
            }
            used = Math.min(used, allocatedBytes() - again);
        }
        if (used > limit) {
            throw new ContractViolation("allocation: opening a small input allocated more than "
                    + (ALLOCATION_LIMIT >> 20) + " MiB", "opening this " + data.length + "-byte input allocated "
                    + (used >> 20) + " MiB (limit " + (limit >> 20) + " MiB); outcome: " + outcome.label(), null);
        }
        if (spec != null) {
            touchSpec(spec);
        }
        checkElf(data, spec == null);
        return outcome;
    }

    /** {@code ElfFile} alone on the bytes; then, unless the spec already covered them, the BTF sections. */
    private static void checkElf(byte[] data, boolean btfToo) {
        ElfFile elf = formatOnly("ElfFile.parse", () -> ElfFile.parse(MemorySegment.ofArray(data)));
        if (elf == null) {
            return;
        }
        formatOnly("ElfFile.symbols", elf::symbols);
        for (ElfSection s : elf.sections()) {
            if (s.type() == ElfFile.SHT_REL) {
                formatOnly("ElfFile.relocations(" + s.name() + ")", () -> elf.relocations(s));
            }
        }
        if (!btfToo) {
            return;
        }
        Optional<ElfSection> btfSection = elf.section(".BTF");
        if (btfSection.isPresent()) {
            Btf btf = formatOnly("Btf.parse", () -> Btf.parse(btfSection.get().data()));
            if (btf != null) {
                touchBtf(btf);
                Optional<ElfSection> ext = elf.section(".BTF.ext");
                if (ext.isPresent()) {
                    BtfExt e = formatOnly("BtfExt.parse", () -> BtfExt.parse(ext.get().data(), btf));
                    if (e != null) {
                        nothing("BtfExt accessors", () -> touchBtfExt(e));
                    }
                }
            }
        }
    }

    /** Checks raw BTF on its own: parse and touch. */
    public static void checkBtf(byte[] raw) {
        Btf btf = formatOnly("Btf.parse", () -> Btf.parse(MemorySegment.ofArray(raw)));
        if (btf != null) {
            touchBtf(btf);
        }
    }

    /** Checks a raw {@code .BTF.ext} against a BTF: parse and touch. */
    public static void checkBtfExt(byte[] raw, Btf btf) {
        BtfExt e = formatOnly("BtfExt.parse", () -> BtfExt.parse(MemorySegment.ofArray(raw), btf));
        if (e != null) {
            nothing("BtfExt accessors", () -> touchBtfExt(e));
        }
    }

    // ---------------------------------------------------------------- touching

    private static void touchSpec(BpfObjectSpec spec) {
        nothing("spec accessors", () -> {
            use(spec.name(), spec.byteOrder(), spec.license(), spec.kernelVersion(), spec.toString());
            spec.externs().forEach(Oracle::use);
            for (GlobalVariable g : spec.globals()) {
                use(g.toString());
            }
            use(spec.copy().toString());
        });
        for (ProgramSpec p : spec.programs()) {
            nothing("program '" + p.name() + "'", () -> touchProgram(p));
        }
        for (MapSpec m : spec.maps()) {
            nothing("map '" + m.name() + "'", () -> touchMap(m, 0));
        }
        spec.btf().ifPresent(Oracle::touchBtf);
    }

    private static void touchProgram(ProgramSpec p) {
        use(p.name(), p.section(), p.sectionDef().toString(), p.sectionOffset(), p.isSubprogram(), p.byteOrder());
        byte[] insns = p.instructions();
        if (insns.length != p.instructionCount() * 8L) {
            throw new ContractViolation("instructions not 8 bytes each", "program '" + p.name() + "' has "
                    + insns.length + " instruction bytes, not 8 per instruction", null);
        }
        for (Relocation r : p.relocations()) {
            use(r.toString());
            if (r.instruction() < 0 || r.instruction() >= p.instructionCount()) {
                throw new ContractViolation("relocation outside its program", "program '" + p.name()
                        + "': relocation " + r + " is outside its " + p.instructionCount() + " instructions", null);
            }
        }
        use(p.extInfo().toString());
        p.extInfo().coreRelocations().forEach(c -> use(c.accessIndexes().length));
        use(p.type(), p.expectedAttachType(), p.attachTo(), p.flags(), p.autoload(), p.toString(), p.copy().toString());
    }

    private static void touchMap(MapSpec m, int depth) {
        use(m.name(), m.definition(), m.section(), m.sectionOffset(), m.type(), m.mapType(), m.keySize(),
                m.valueSize(), m.maxEntries(), m.flags(), m.numaNode(), m.mapExtra(), m.pinning(), m.pinPath());
        use(m.keyTypeId(), m.valueTypeId(), m.keyType(), m.valueType(), m.isGlobalData(), m.isReadOnlyData());
        m.initialSlots().forEach(Oracle::use);
        byte[] data = m.initialData();
        // An arena's initial data are its __arena globals, as long as their section: not its value.
        boolean arena = m.mapType() == MapType.ARENA;
        long dataSize = arena ? (data == null ? 0 : data.length) : m.valueSize();
        if (data != null && !arena && data.length != m.valueSize()) {
            throw new ContractViolation("initial data size differs from the value size", "map '" + m.name()
                    + "': initial data of " + data.length + " bytes, value size " + m.valueSize(), null);
        }
        MapSpec copy = m.copy();
        for (GlobalVariable v : m.variables()) {
            use(v.toString(), m.variable(v.name()));
            if (v.offset() < 0 || v.size() < 0 || v.offset() > dataSize - v.size()) {
                throw new ContractViolation("variable outside its map's value", "map '" + m.name()
                        + "': variable " + v + " lies outside the " + dataSize + "-byte "
                        + (arena ? "__arena globals" : "value"), null);
            }
            if ((m.isGlobalData() || arena) && v.size() <= 1 << 20 && dataSize <= 1 << 24
                    && m.variables().stream().filter(o -> o.name().equals(v.name())).count() == 1) {
                copy.setVariable(v.name(), new byte[(int) v.size()]);
            }
        }
        use(m.toString());
        if (m.innerMap() != null && depth < 8) {
            touchMap(m.innerMap(), depth + 1);
        }
    }

    /**
     * Every type of a BTF, looked up, sized, followed and dumped. Any of these may refuse a bad
     * type with an {@code ObjectFormatException} (BTF checks some parts of a type when it is
     * first decoded, and type chains may loop); nothing else may come out.
     */
    private static void touchBtf(Btf btf) {
        int count = nothing("Btf.typeCount", btf::typeCount);
        nothing("Btf accessors", () -> use(btf.byteOrder(), btf.base(), btf.firstId(), btf.toString()));
        int named = 0;
        for (int id = 0; id < count; id++) {
            int i = id;
            formatOnly("Btf.kind", i, () -> btf.kind(i));
            formatOnly("Btf.name", i, () -> btf.name(i));
            formatOnly("Btf.resolveSize", i, () -> btf.resolveSize(i));
            formatOnly("Btf.skipModifiers", i, () -> btf.skipModifiers(i));
            formatOnly("Btf.skipModifiersAndTypedefs", i, () -> btf.skipModifiersAndTypedefs(i));
            BtfType t = formatOnly("Btf.type", i, () -> btf.type(i));
            if (t == null) {
                continue;
            }
            nothing("BtfType.toString", i, () -> use(t.toString(), t.kind(), t.name(), t.id()));
            // Names that are not valid UTF-8 do not survive the round trip through a String.
            if (!t.name().isEmpty() && t.name().indexOf('\uFFFD') < 0 && named++ < 16) {
                List<BtfType> found = formatOnly("Btf.findAll(" + t.name() + ")", () -> btf.findAll(t.name()));
                if (found != null && found.stream().noneMatch(x -> x.id() == i)) {
                    throw new ContractViolation("Btf.findAll misses a type", "Btf.findAll(\"" + t.name()
                            + "\") misses type " + i, null);
                }
                formatOnly("Btf.find(" + t.name() + ")", () -> btf.find(t.name(), t.kind()));
            }
        }
        formatOnly("Btf.pointerSize", btf::pointerSize);
        formatOnly("Btf.datasec", () -> btf.datasec(".bss"));
        formatOnly("BtfDump.dump", () -> BtfDump.dump(btf));
        formatOnly("BtfCHeader.of", () -> BtfCHeader.of(btf).text());
        if (count > 1) {
            formatOnly("BtfDump.dumpType", () -> BtfDump.dumpType(btf, count - 1));
        }
    }

    private static Object touchBtfExt(BtfExt e) {
        use(e.byteOrder(), e.sections(), e.toString(), e.funcInfo(), e.lineInfo());
        e.coreRelocations().values().forEach(list -> list.forEach(c -> use(c.accessIndexes().length)));
        return e;
    }

    // ---------------------------------------------------------------- guards

    /** Runs an accessor that must not throw at all. */
    private static <T> T nothing(String what, ThrowingSupplier<T> call) {
        try {
            return call.get();
        } catch (ContractViolation v) {
            throw v;
        } catch (Throwable t) {
            throw new ContractViolation(what + " threw " + t, t);
        }
    }

    private static void nothing(String what, Runnable call) {
        nothing(what, () -> {
            call.run();
            return null;
        });
    }

    /** {@code nothing} about type {@code id}: the label is made only on failure. */
    private static void nothing(String what, int id, Runnable call) {
        try {
            call.run();
        } catch (ContractViolation v) {
            throw v;
        } catch (Throwable t) {
            throw new ContractViolation(what + "(" + id + ") threw " + t, t);
        }
    }

    /** {@code formatOnly} about type {@code id}: the label is made only on failure. */
    private static <T> T formatOnly(String what, int id, ThrowingSupplier<T> call) {
        try {
            return call.get();
        } catch (ObjectFormatException e) {
            if (e.getCause() != null) {
                throw new ContractViolation(what + "(" + id + ") wrapped an internal error: " + e.getMessage(),
                        e.getCause());
            }
            return null;
        } catch (ContractViolation v) {
            throw v;
        } catch (Throwable t) {
            throw new ContractViolation(what + "(" + id + ") threw " + t, t);
        }
    }

    /** Runs a call that may only throw an {@code ObjectFormatException} without a cause; null when it did. */
    private static <T> T formatOnly(String what, ThrowingSupplier<T> call) {
        try {
            return call.get();
        } catch (ObjectFormatException e) {
            if (e.getCause() != null) {
                throw new ContractViolation(what + " wrapped an internal error: " + e.getMessage(), e.getCause());
            }
            return null;
        } catch (ContractViolation v) {
            throw v;
        } catch (Throwable t) {
            throw new ContractViolation(what + " threw " + t, t);
        }
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get();
    }

    /** Keeps values alive so that the calls that made them are not dead code. */
    private static void use(Object... values) {
        if (values.length == Integer.MIN_VALUE) {
            throw new AssertionError(values);
        }
    }
}
