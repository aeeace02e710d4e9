package io.bpfkit.object;

import io.bpfkit.api.LoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to create one map: a map the object defines in {@code .maps} (BTF) or
 * {@code maps} (legacy {@code struct bpf_map_def}), or the map behind a global data section.
 * Plain data, adjustable before load; {@link #copy()} gives an independent copy.
 *
 * <pre>{@code
 * MapSpec counts = spec.map("counts").orElseThrow();
 * counts.maxEntries(65536).pinning(MapSpec.Pinning.BY_NAME);
 * }</pre>
 */
public final class MapSpec {

    /** Where the map's definition came from. */
    public enum Definition {
        /** A BTF-defined map in {@code .maps}. */
        BTF,
        /** A {@code struct bpf_map_def} in the legacy {@code maps} section. */
        LEGACY,
        /** The array map behind a global data section ({@code .data}, {@code .bss}, ...). */
        DATA_SECTION,
        /** The array map libbpf builds for {@code .kconfig} externs. */
        KCONFIG,
        /** An inner map template ({@code __array(values, struct inner)}), not created on its own. */
        INNER,
        /** A variable of {@code .struct_ops} or {@code .struct_ops.link}: see {@link #structOps()}. */
        STRUCT_OPS
    }

    /** libbpf's {@code pinning} attribute. */
    public enum Pinning {
        NONE,
        /** Pinned as {@code <pin root>/<map name>}, reused when already pinned and compatible. */
        BY_NAME;

        static Pinning of(long value) {
            return value == 1 ? BY_NAME : NONE;
        }
    }

    private final String name;
    private final Definition definition;
    private final String section;
    private final long sectionOffset;
    private int type;
    private long keySize;
    private long valueSize;
    private long maxEntries;
    private long flags;
    private long numaNode;
    private long mapExtra;
    private Pinning pinning = Pinning.NONE;
    private String pinPath;
    private int keyTypeId;
    private int valueTypeId;
    private String keyType;
    private String valueType;
    private MapSpec innerMap;
    private List<MapSlot> initialSlots = new ArrayList<>();
    private byte[] initialData;
    private List<GlobalVariable> variables = List.of();
    private List<PmuCounterSpec> pmuCounters = new ArrayList<>();
    private boolean autocreate = true;
    private StructOpsSpec structOps;

    /**
     * @param name the map's name (for global data: the section name, e.g. {@code .bss})
     * @param definition where it was defined
     * @param section the ELF section that defined it
     * @param sectionOffset the offset of its definition (or its data) in that section
     */
    public MapSpec(String name, Definition definition, String section, long sectionOffset) {
        this.name = Objects.requireNonNull(name, "name");
        this.definition = Objects.requireNonNull(definition, "definition");
        this.section = section;
        this.sectionOffset = sectionOffset;
    }

    /** A deep copy: adjusting the copy leaves this spec as it is. */
    public MapSpec copy() {
        MapSpec c = new MapSpec(name, definition, section, sectionOffset);
        c.type = type;
        c.keySize = keySize;
        c.valueSize = valueSize;
        c.maxEntries = maxEntries;
        c.flags = flags;
        c.numaNode = numaNode;
        c.mapExtra = mapExtra;
        c.pinning = pinning;
        c.pinPath = pinPath;
        c.keyTypeId = keyTypeId;
        c.valueTypeId = valueTypeId;
        c.keyType = keyType;
        c.valueType = valueType;
        c.innerMap = innerMap == null ? null : innerMap.copy();
        c.initialSlots = new ArrayList<>(initialSlots);
        c.initialData = initialData == null ? null : initialData.clone();
        c.variables = variables;
        c.pmuCounters = new ArrayList<>(pmuCounters.stream().map(PmuCounterSpec::copy).toList());
        c.autocreate = autocreate;
        c.structOps = structOps;
        return c;
    }

    public String name() {
        return name;
    }

    public Definition definition() {
        return definition;
    }

    /** The ELF section that defined the map: {@code .maps}, {@code maps}, or the data section. */
    public String section() {
        return section;
    }

    /** Offset of the definition (or data) in {@link #section()}; relocations find maps by it. */
    public long sectionOffset() {
        return sectionOffset;
    }

    /** The kernel's map type number ({@link #mapType()} for the enum). */
    public int type() {
        return type;
    }

    /** The map type, or null for a number this bpfkit does not know. */
    public MapType mapType() {
        return MapType.of(type);
    }

    public MapSpec type(int type) {
        this.type = type;
        maxEntries = asLibbpfSizes(maxEntries);
        return this;
    }

    public MapSpec type(MapType type) {
        return type(type.value());
    }

    public long keySize() {
        return keySize;
    }

    public MapSpec keySize(long keySize) {
        this.keySize = checkU32(keySize, "key size");
        return this;
    }

    public long valueSize() {
        return valueSize;
    }

    public MapSpec valueSize(long valueSize) {
        this.valueSize = checkU32(valueSize, "value size");
        return this;
    }

    public long maxEntries() {
        return maxEntries;
    }

    /**
     * Sets {@code max_entries}; for a ring buffer (kernel or user) the size in bytes, rounded up
     * as libbpf rounds it (see {@link #ringBufferSize}).
     */
    public MapSpec maxEntries(long maxEntries) {
        this.maxEntries = asLibbpfSizes(checkU32(maxEntries, "max entries"));
        return this;
    }

    /** The page size the open phase rounds ring buffers to: x86-64's, and most arm64 kernels'. */
    public static final long OPEN_PAGE_SIZE = 4096;

    /**
     * A ring buffer's size as the kernel takes it, a power-of-two number of pages: the smallest
     * such size that holds {@code requested} bytes, as libbpf rounds it (at open, and when the
     * size is set), so an object that loads there loads here and reports the same size. 0 and
     * sizes no such number reaches below 2^32 are left as they are, for the kernel to refuse.
     * The open phase makes no system call, so it rounds to {@link #OPEN_PAGE_SIZE}; the loader
     * rounds again to the loading machine's page size, which changes the size only where pages
     * are larger (16 or 64 KiB on some arm64 kernels).
     */
    public static long ringBufferSize(long requested, long pageSize) {
        if (requested == 0) {
            return 0;
        }
        for (long size = pageSize; size <= 0xFFFF_FFFFL; size <<= 1) {
            if (size >= requested) {
                return size;
            }
        }
        return requested;
    }

    private long asLibbpfSizes(long entries) {
        MapType t = mapType();
        return t == MapType.RINGBUF || t == MapType.USER_RINGBUF ? ringBufferSize(entries, OPEN_PAGE_SIZE) : entries;
    }

    /** {@code map_flags}, e.g. {@code BPF_F_NO_PREALLOC}. */
    public long flags() {
        return flags;
    }

    public MapSpec flags(long flags) {
        this.flags = checkU32(flags, "flags");
        return this;
    }

    public long numaNode() {
        return numaNode;
    }

    public MapSpec numaNode(long numaNode) {
        this.numaNode = checkU32(numaNode, "numa node");
        return this;
    }

    /** {@code map_extra}: the number of hash functions of a bloom filter, for example. */
    public long mapExtra() {
        return mapExtra;
    }

    public MapSpec mapExtra(long mapExtra) {
        this.mapExtra = mapExtra;
        return this;
    }

    public Pinning pinning() {
        return pinning;
    }

    public MapSpec pinning(Pinning pinning) {
        this.pinning = Objects.requireNonNull(pinning, "pinning");
        return this;
    }

    /** An explicit pin path chosen by the caller, or null. */
    public String pinPath() {
        return pinPath;
    }

    public MapSpec pinPath(String pinPath) {
        this.pinPath = pinPath;
        return this;
    }

    /** BTF type id of the key, 0 when the map has none. */
    public int keyTypeId() {
        return keyTypeId;
    }

    /** BTF type id of the value (for global data: the {@code DATASEC}), 0 when none. */
    public int valueTypeId() {
        return valueTypeId;
    }

    /** The key type as C spells it, or null. */
    public String keyType() {
        return keyType;
    }

    /** The value type as C spells it, or null. */
    public String valueType() {
        return valueType;
    }

    MapSpec btfTypes(int keyTypeId, String keyType, int valueTypeId, String valueType) {
        this.keyTypeId = keyTypeId;
        this.keyType = keyType;
        this.valueTypeId = valueTypeId;
        this.valueType = valueType;
        return this;
    }

    /** The inner map template of a map-of-maps, or null. */
    public MapSpec innerMap() {
        return innerMap;
    }

    public MapSpec innerMap(MapSpec innerMap) {
        this.innerMap = innerMap;
        return this;
    }

    /** Initial slots of a program array or map-of-maps, filled after load. */
    public List<MapSlot> initialSlots() {
        return List.copyOf(initialSlots);
    }

    public MapSpec initialSlots(List<MapSlot> slots) {
        this.initialSlots = new ArrayList<>(slots);
        return this;
    }

    /** True for the maps of global data sections and {@code .kconfig}. */
    public boolean isGlobalData() {
        return definition == Definition.DATA_SECTION || definition == Definition.KCONFIG;
    }

    /** True for {@code .rodata} and {@code .rodata.*}: frozen after load, read-only to programs. */
    public boolean isReadOnlyData() {
        return isGlobalData() && (section.equals(".rodata") || section.startsWith(".rodata.")
                || section.equals(".kconfig"));
    }

    /**
     * The initial bytes of a global data map (a copy), or null when the map starts all zeros
     * ({@code .bss}, and maps that are not global data). For an arena map, the object's
     * {@code __arena} globals (section {@code .addr_space.1}), which the loader copies to the
     * start of the arena's memory (as libbpf's {@code bpf_map__initial_value} of an arena).
     */
    public byte[] initialData() {
        return initialData == null ? null : initialData.clone();
    }

    /**
     * Replaces the initial bytes: {@link #valueSize()} bytes for global data; for an arena map,
     * as many bytes as its {@code __arena} globals take.
     *
     * @throws LoadException when the size differs, or an arena map has no globals
     */
    public MapSpec initialData(byte[] data) {
        if (mapType() == MapType.ARENA) {
            if (data != null && (initialData == null || data.length != initialData.length)) {
                throw new LoadException(element(), "initial data is " + data.length + " bytes, "
                        + (initialData == null ? "but the object has no __arena globals (.addr_space.1) to initialize"
                        : "the __arena globals (.addr_space.1) take " + initialData.length));
            }
        } else if (data != null && data.length != valueSize) {
            throw new LoadException(element(), "initial data is " + data.length
                    + " bytes, the value size is " + valueSize);
        }
        this.initialData = data == null ? null : data.clone();
        return this;
    }

    /** The opener's binding of an object's {@code __arena} globals to its arena map. */
    MapSpec arenaGlobals(byte[] data, List<GlobalVariable> globals) {
        this.initialData = data.clone();
        this.variables = List.copyOf(globals);
        return this;
    }

    /**
     * The variables of a global data map, in offset order; for an arena map, the object's
     * {@code __arena} globals with their offsets from the start of the arena; empty for other maps.
     */
    public List<GlobalVariable> variables() {
        return variables;
    }

    MapSpec variables(List<GlobalVariable> variables) {
        this.variables = List.copyOf(variables);
        return this;
    }

    /** The variable called {@code name}, if this map holds it. */
    public java.util.Optional<GlobalVariable> variable(String name) {
        return variables.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /**
     * Sets the initial bytes of one variable of a global data map (or an {@code __arena} global
     * of an arena map), before load.
     *
     * @throws LoadException when the map has no such variable or the size differs
     */
    public MapSpec setVariable(String variableName, byte[] value) {
        GlobalVariable v = variable(variableName).orElseThrow(() -> new LoadException(element(),
                "has no variable '" + variableName + "'; it has " + variables.stream()
                        .map(GlobalVariable::name).toList()));
        if (value.length != v.size()) {
            throw new LoadException(element(), "variable " + variableName + " is " + v.size()
                    + " bytes (" + v.type() + "), the new value is " + value.length);
        }
        if (initialData == null) {
            initialData = new byte[Math.toIntExact(valueSize)];
        }
        System.arraycopy(value, 0, initialData, (int) v.offset(), value.length);
        return this;
    }

    /**
     * The perf counters the loader opens for this PERF_EVENT_ARRAY map, by index; empty for a
     * map without a PMU declaration.
     */
    public List<PmuCounterSpec> pmuCounters() {
        return java.util.Collections.unmodifiableList(pmuCounters);
    }

    /**
     * The counter {@code index}, for adjusting its event before load.
     *
     * @throws LoadException when the map declares no such counter
     */
    public PmuCounterSpec pmuCounter(int index) {
        if (index < 0 || index >= pmuCounters.size()) {
            throw new LoadException(element(), "has " + (pmuCounters.isEmpty() ? "no PMU counters"
                    : "PMU counters 0.." + (pmuCounters.size() - 1)) + ", not counter " + index
                    + "; add one with pmuCounter(index, event, fallback)");
        }
        return pmuCounters.get(index);
    }

    /**
     * Declares (or replaces) counter {@code index}: the loader opens {@code event} on every
     * online CPU, or {@code fallback} where this machine has no PMU for it. Counters are
     * numbered from 0 without gaps.
     *
     * @throws LoadException when the map is not a PERF_EVENT_ARRAY or the index leaves a gap
     */
    public MapSpec pmuCounter(int index, String event, String fallback) {
        if (mapType() != MapType.PERF_EVENT_ARRAY) {
            throw new LoadException(element(), "is " + (mapType() == null ? "type " + type
                    : mapType().libbpfName()) + ": PMU counters need a perf_event_array map");
        }
        if (index < 0 || index > pmuCounters.size()) {
            throw new LoadException(element(), "PMU counter " + index + " would leave a gap (it has "
                    + pmuCounters.size() + " counters; the next is " + pmuCounters.size() + ")");
        }
        PmuCounterSpec c = new PmuCounterSpec(index, event, fallback);
        if (index == pmuCounters.size()) {
            pmuCounters.add(c);
        } else {
            pmuCounters.set(index, c);
        }
        return this;
    }

    /**
     * Whether the next load creates this map (libbpf's {@code autocreate}); off for the maps of
     * {@code SEC("?.struct_ops")}. A struct_ops map left out also leaves out the programs only it uses.
     */
    public boolean autocreate() {
        return autocreate;
    }

    public MapSpec autocreate(boolean autocreate) {
        this.autocreate = autocreate;
        return this;
    }

    /** The struct_ops variable behind a STRUCT_OPS map, or null for other maps. */
    public StructOpsSpec structOps() {
        return structOps;
    }

    /**
     * Replaces the struct_ops variable of this STRUCT_OPS map before load, e.g. with
     * {@link StructOpsSpec#withProgram} or {@link StructOpsSpec#withData}.
     *
     * @throws LoadException when this is not a STRUCT_OPS map or the struct differs
     */
    public MapSpec structOps(StructOpsSpec structOps) {
        Objects.requireNonNull(structOps, "structOps");
        if (this.structOps != null && (this.structOps.typeId() != structOps.typeId()
                || this.structOps.link() != structOps.link())) {
            throw new LoadException(element(), "holds struct " + this.structOps.structName()
                    + (this.structOps.link() ? " (a link)" : "") + "; the new variable is struct "
                    + structOps.structName() + (structOps.link() ? " (a link)" : ""));
        }
        if (mapType() != MapType.STRUCT_OPS || structOps.data().length != valueSize) {
            throw new LoadException(element(), "is not a STRUCT_OPS map of " + structOps.data().length
                    + " bytes (it is " + this + ")");
        }
        this.structOps = structOps;
        return this;
    }

    /** This map as a {@link LoadException} names it. */
    private String element() {
        return "map '" + name + "'";
    }

    private long checkU32(long v, String what) {
        if (v < 0 || v > 0xffff_ffffL) {
            throw new IllegalArgumentException("map " + name + ": " + what + " " + v + " does not fit in 32 bits");
        }
        return v;
    }

    @Override
    public String toString() {
        MapType t = mapType();
        return "MapSpec[" + name + ", " + (t == null ? "type " + type : t.libbpfName()) + ", key " + keySize
                + ", value " + valueSize + ", max " + maxEntries + ", flags 0x" + Long.toHexString(flags) + "]";
    }

}
