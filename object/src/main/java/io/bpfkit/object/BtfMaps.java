package io.bpfkit.object;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfRelocation;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * BTF-defined maps: each variable of the {@code .maps} DATASEC is a struct whose members
 * ({@code __uint(type, ...)}, {@code __type(key, ...)}, {@code __array(values, ...)}) encode the
 * definition in their types, as libbpf's {@code parse_btf_map_def} reads them.
 */
final class BtfMaps {
    private static final String SECTION = ObjectOpener.MAPS;

    private final ElfFile elf;
    private final Btf btf;
    private final List<ElfSymbol> symbols;
    /** Byte offset of the {@code values} member, per map that has one. */
    private final Map<MapSpec, Long> valuesOffsets = new IdentityHashMap<>();
    /** Size of each map's definition struct, to find which map a relocation falls in. */
    private final Map<MapSpec, Long> definitionSizes = new IdentityHashMap<>();

    private final BtfType.Datasec datasec;
    private final List<DatasecVar> vars;

    /**
     * @param datasec the BTF's DATASEC {@code .maps} (null when it has none), as the opener found it
     * @param vars its variables with their fixed offsets
     */
    BtfMaps(ElfFile elf, Btf btf, List<ElfSymbol> symbols, BtfType.Datasec datasec, List<DatasecVar> vars) {
        this.datasec = datasec;
        this.vars = vars;
        this.elf = elf;
        this.btf = btf;
        this.symbols = symbols;
    }

    List<MapSpec> read(ElfSection section, BiConsumer<ElfSection, MapSpec> register) {
        if (datasec == null) {
            if (section.size() == 0) {
                return List.of();
            }
            throw new ObjectFormatException(SECTION, -1, "no DATASEC '.maps' in the BTF describes the maps");
        }
        List<MapSpec> maps = new ArrayList<>();
        Map<Integer, List<String>> pmuTags = pmuTagsByVar();
        for (DatasecVar dv : vars) {
            BtfType.Var v = dv.var();
            if (dv.offset() < 0 || dv.size() < 0 || dv.offset() > section.size() - dv.size()) {
                throw new ObjectFormatException(SECTION, dv.offset(), "map '" + v.name() + "' (" + dv.size()
                        + " bytes at offset " + dv.offset() + ") lies outside the section (" + section.size()
                        + " bytes)");
            }
            MapSpec m = new MapSpec(v.name(), MapSpec.Definition.BTF, SECTION, dv.offset());
            parseDefinition(m, v.type(), false);
            readPmuCounters(m, dv.offset(), pmuTags.getOrDefault(v.id(), List.of()));
            definitionSizes.put(m, dv.size());
            register.accept(section, m);
            maps.add(m);
        }
        return maps;
    }

    /** The {@code bpfkit.pmu.*} decl tags of the object, by the id of the variable they tag. */
    private Map<Integer, List<String>> pmuTagsByVar() {
        Map<Integer, List<String>> tags = new HashMap<>();
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.DECL_TAG && btf.type(id) instanceof BtfType.DeclTag t
                    && t.componentIndex() == -1 && t.name().startsWith(PmuCounterSpec.TAG_PREFIX)) {
                tags.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(t.name());
            }
        }
        return tags;
    }

    /**
     * Reads bpfkit/pmu.h's declarations: {@code bpfkit.pmu.<n>=<event>} and
     * {@code bpfkit.pmu.<n>.fallback=<event>}, counters numbered from 0 without gaps.
     */
    private static void readPmuCounters(MapSpec m, long offset, List<String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        TreeMap<Integer, String[]> counters = new TreeMap<>();
        for (String tag : tags) {
            String rest = tag.substring(PmuCounterSpec.TAG_PREFIX.length());
            int eq = rest.indexOf('=');
            String key = eq < 0 ? rest : rest.substring(0, eq);
            boolean fallback = key.endsWith(".fallback");
            String number = fallback ? key.substring(0, key.length() - ".fallback".length()) : key;
            int index;
            try {
                index = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (eq < 0 || index < 0 || index > 1023 || rest.substring(eq + 1).isBlank()) {
                throw new ObjectFormatException(SECTION, offset, "map '" + m.name() + "': PMU declaration '" + tag
                        + "' is not bpfkit.pmu.<counter>[.fallback]=<event>");
            }
            String[] c = counters.computeIfAbsent(index, k -> new String[2]);
            int slot = fallback ? 1 : 0;
            if (c[slot] != null) {
                throw new ObjectFormatException(SECTION, offset, "map '" + m.name() + "': PMU counter " + index
                        + " declares its " + (fallback ? "fallback" : "event") + " twice");
            }
            c[slot] = rest.substring(eq + 1);
        }
        if (m.mapType() != MapType.PERF_EVENT_ARRAY) {
            throw new ObjectFormatException(SECTION, offset, "map '" + m.name() + "' declares PMU counters but is "
                    + (m.mapType() == null ? "type " + m.type() : m.mapType().libbpfName())
                    + ", not perf_event_array");
        }
        int expected = 0;
        for (Map.Entry<Integer, String[]> e : counters.entrySet()) {
            if (e.getKey() != expected) {
                throw new ObjectFormatException(SECTION, offset, "map '" + m.name() + "' declares PMU counter "
                        + e.getKey() + " but not counter " + expected + " (counters are numbered from 0)");
            }
            if (e.getValue()[0] == null) {
                throw new ObjectFormatException(SECTION, offset, "map '" + m.name() + "': PMU counter " + e.getKey()
                        + " has a fallback but no event (BPFKIT_PMU_COUNTER)");
            }
            m.pmuCounter(e.getKey(), e.getValue()[0], e.getValue()[1]);
            expected++;
        }
    }

    private void parseDefinition(MapSpec m, int typeId, boolean inner) {
        String what = "map '" + m.name() + "'";
        int defId = btf.skipModifiersAndTypedefs(typeId);
        if (!(btf.type(defId) instanceof BtfType.Struct def)) {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), what + " is a " + btf.kind(defId)
                    + ", expected a struct definition");
        }
        long keySize = -1;
        long valueSize = -1;
        int keyType = 0;
        int valueType = 0;
        for (BtfType.Member member : def.members()) {
            String field = member.name();
            switch (field) {
                case "type" -> m.type((int) intField(m, member));
                case "max_entries" -> m.maxEntries(intField(m, member));
                case "map_flags" -> m.flags(intField(m, member));
                case "numa_node" -> m.numaNode(intField(m, member));
                case "map_extra" -> m.mapExtra(longField(m, member));
                case "key_size" -> keySize = checkSize(m, "key", keySize, intField(m, member));
                case "value_size" -> valueSize = checkSize(m, "value", valueSize, intField(m, member));
                case "key" -> {
                    keyType = pointee(m, member);
                    keySize = checkSize(m, "key", keySize, sizeOf(m, keyType, "key"));
                }
                case "value" -> {
                    valueType = pointee(m, member);
                    valueSize = checkSize(m, "value", valueSize, sizeOf(m, valueType, "value"));
                }
                case "pinning" -> {
                    if (inner) {
                        throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": an inner map cannot be pinned");
                    }
                    long pin = intField(m, member);
                    if (pin != 0 && pin != 1) {
                        throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": pinning " + pin
                                + " is not 0 (none) or 1 (LIBBPF_PIN_BY_NAME)");
                    }
                    m.pinning(MapSpec.Pinning.of(pin));
                }
                case "values" -> {
                    if (inner) {
                        throw new ObjectFormatException(SECTION, m.sectionOffset(), what
                                + ": an inner map cannot have values of its own");
                    }
                    parseValues(m, member);
                }
                default -> throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": unknown field '"
                        + field + "' (libbpf rejects it too)");
            }
        }
        MapType t = m.mapType();
        if (t != null && (t.isMapInMap() || t == MapType.PROG_ARRAY) && m.valueTypeId() == 0 && valueSize < 0) {
            valueSize = 4; // a map or program fd
        }
        if (keySize >= 0) {
            m.keySize(keySize);
        }
        if (valueSize >= 0) {
            m.valueSize(valueSize);
        }
        m.btfTypes(keyType, keyType == 0 ? null : TypeNames.of(btf, keyType),
                valueType, valueType == 0 ? null : TypeNames.of(btf, valueType));
    }

    /** {@code __uint(name, N)} is {@code int (*name)[N]}: the value is the array's length. */
    private long intField(MapSpec m, BtfType.Member member) {
        int ptr = btf.skipModifiersAndTypedefs(member.type());
        if (btf.type(ptr) instanceof BtfType.Ptr p
                && btf.type(btf.skipModifiersAndTypedefs(p.type())) instanceof BtfType.Array a) {
            return a.elements();
        }
        throw new ObjectFormatException(SECTION, m.sectionOffset(), "map '" + m.name() + "': field '"
                + member.name() + "' is not an __uint() (a pointer to an array)");
    }

    /**
     * A 64-bit field, as libbpf's get_map_field_long reads {@code map_extra}: an {@code __uint()},
     * or libbpf's {@code __ulong(name, N)}, an anonymous ENUM or ENUM64 whose one value is N (an
     * arena's user address, for one).
     */
    private long longField(MapSpec m, BtfType.Member member) {
        BtfType t = btf.type(btf.skipModifiersAndTypedefs(member.type()));
        if (t instanceof BtfType.Ptr) {
            return intField(m, member);
        }
        if (t instanceof BtfType.Enumeration e && e.values().size() == 1) {
            return e.values().get(0).value();
        }
        throw new ObjectFormatException(SECTION, m.sectionOffset(), "map '" + m.name() + "': field '"
                + member.name() + "' is neither an __uint() nor an __ulong() (an enum of one value), but a "
                + btf.kind(t.id()));
    }

    /** {@code __type(name, T)} is {@code T *name}. */
    private int pointee(MapSpec m, BtfType.Member member) {
        int ptr = btf.skipModifiersAndTypedefs(member.type());
        if (btf.type(ptr) instanceof BtfType.Ptr p) {
            return p.type();
        }
        throw new ObjectFormatException(SECTION, m.sectionOffset(), "map '" + m.name() + "': field '"
                + member.name() + "' is not a __type() (a pointer)");
    }

    private long sizeOf(MapSpec m, int typeId, String what) {
        long size = btf.resolveSize(typeId);
        if (size < 0) {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), "map '" + m.name() + "': the " + what
                    + " type [" + typeId + "] has no size");
        }
        return size;
    }

    private long checkSize(MapSpec m, String what, long previous, long size) {
        if (previous >= 0 && previous != size) {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), "map '" + m.name() + "': " + what
                    + " size " + size + " conflicts with " + what + " size " + previous + " given before");
        }
        return size;
    }

    /** {@code __array(values, T)}: {@code T *values[]}; T is an inner map struct or a function. */
    private void parseValues(MapSpec m, BtfType.Member member) {
        String what = "map '" + m.name() + "'";
        int arr = btf.skipModifiersAndTypedefs(member.type());
        if (!(btf.type(arr) instanceof BtfType.Array a)) {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": 'values' is not an array");
        }
        int ptr = btf.skipModifiersAndTypedefs(a.type());
        if (!(btf.type(ptr) instanceof BtfType.Ptr p)) {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": 'values' is not an array of pointers");
        }
        int target = btf.skipModifiersAndTypedefs(p.type());
        MapType t = m.mapType();
        if (t != null && t.isMapInMap()) {
            MapSpec inner = new MapSpec(m.name() + ".inner", MapSpec.Definition.INNER, SECTION, m.sectionOffset());
            parseDefinition(inner, target, true);
            m.innerMap(inner);
        } else if (t == MapType.PROG_ARRAY) {
            if (!(btf.type(target) instanceof BtfType.FuncProto)) {
                throw new ObjectFormatException(SECTION, m.sectionOffset(), what
                        + ": a program array's values must be functions");
            }
        } else {
            throw new ObjectFormatException(SECTION, m.sectionOffset(), what + ": 'values' is only allowed for"
                    + " map-in-map and program array maps (or set 'type' before 'values')");
        }
        valuesOffsets.put(m, member.bitOffset() / 8);
    }

    /** Slots of program arrays and map-of-maps, from the relocations of {@code .rel.maps}. */
    void readInitialSlots(ElfSection section, Map<Long, MapSpec> mapsByOffset) {
        if (mapsByOffset == null) {
            return;
        }
        Map<MapSpec, List<MapSlot>> slots = new IdentityHashMap<>();
        for (ElfSection rel : elf.sections()) {
            if (rel.type() != ElfFile.SHT_REL || rel.info() != section.index()) {
                continue;
            }
            for (ElfRelocation r : elf.relocations(rel)) {
                MapSpec m = mapContaining(mapsByOffset, r.offset());
                Long valuesOff = m == null ? null : valuesOffsets.get(m);
                long rel0 = m == null ? -1 : r.offset() - m.sectionOffset() - (valuesOff == null ? 0 : valuesOff);
                if (m == null || valuesOff == null || rel0 < 0 || rel0 % 8 != 0) {
                    throw new ObjectFormatException(rel.name(), r.offset(), "relocation at offset " + r.offset()
                            + " of .maps is not inside the 'values' of a map");
                }
                long slot = rel0 / 8;
                if (slot >= m.maxEntries()) {
                    throw new ObjectFormatException(rel.name(), r.offset(), "map '" + m.name() + "': initial value"
                            + " at slot " + slot + " exceeds max_entries " + m.maxEntries());
                }
                ElfSymbol sym = symbols.get(r.symbolIndex());
                checkSlotTarget(rel, r, m, sym);
                slots.computeIfAbsent(m, k -> new ArrayList<>()).add(new MapSlot((int) slot, sym.name()));
            }
        }
        slots.forEach(MapSpec::initialSlots);
    }

    private void checkSlotTarget(ElfSection rel, ElfRelocation r, MapSpec m, ElfSymbol sym) {
        boolean ok;
        if (m.mapType() == MapType.PROG_ARRAY) {
            ok = sym.type() == ElfFile.STT_FUNC && !sym.isUndefined()
                    && sym.sectionIndex() < elf.sections().size() && elf.section(sym.sectionIndex()).isExecutable();
        } else {
            ok = !sym.isUndefined() && sym.sectionIndex() == sectionIndexOfMaps();
        }
        if (!ok) {
            throw new ObjectFormatException(rel.name(), r.offset(), "map '" + m.name() + "': initial value '"
                    + sym.name() + "' is not a " + (m.mapType() == MapType.PROG_ARRAY ? "program" : "map"));
        }
    }

    private int sectionIndexOfMaps() {
        return elf.section(SECTION).map(ElfSection::index).orElse(-1);
    }

    private MapSpec mapContaining(Map<Long, MapSpec> mapsByOffset, long offset) {
        for (MapSpec m : mapsByOffset.values()) {
            Long size = definitionSizes.get(m);
            if (size != null && offset >= m.sectionOffset() && offset < m.sectionOffset() + size) {
                return m;
            }
        }
        return null;
    }
}
