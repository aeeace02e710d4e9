package io.bpfkit.object;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfRelocation;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import io.bpfkit.uapi.BpfFlags;
import io.bpfkit.uapi.BpfInsn;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ELF eBPF object into a {@link BpfObjectSpec}, following what libbpf's
 * {@code bpf_object__open} accepts: programs from executable sections, BTF-defined and legacy
 * maps, global data sections, externs, license and version, BTF and BTF.ext.
 */
final class ObjectOpener {
    static final String TEXT = ".text";
    static final String MAPS = ".maps";
    static final String LEGACY_MAPS = "maps";
    static final String KCONFIG = ".kconfig";
    static final String KSYMS = ".ksyms";
    /** Where clang puts variables declared {@code __arena} (address space 1), as libbpf's ARENA_SEC. */
    static final String ARENA = ".addr_space.1";

    private static final int STV_INTERNAL = 1;
    private static final int STV_HIDDEN = 2;
    /** Far above what the kernel takes as an array value: a hostile size fails here, not in an allocation. */
    static final long MAX_DATA_SECTION = 1L << 30;

    private final ElfFile elf;
    private final String objectName;
    private final ByteOrder order;
    private Btf btf;
    private BtfExt btfExt;
    private final List<ElfSymbol> symbols;
    /** Programs per executable section index, sorted by offset. */
    private final Map<Integer, List<ProgramSpec>> programsBySection = new HashMap<>();
    /** Maps per defining section index and offset, for relocations. */
    private final Map<Integer, Map<Long, MapSpec>> mapsBySection = new HashMap<>();
    private final Map<String, BtfType.Datasec> datasecs = new HashMap<>();
    /** The variables of each DATASEC backed by an ELF section, with their fixed-up offsets. */
    private final Map<String, List<DatasecVar>> sectionVars = new HashMap<>();
    private final List<DatasecLayout> datasecLayouts = new ArrayList<>();

    private ObjectOpener(ElfFile elf, String objectName) {
        this.elf = elf;
        this.objectName = objectName;
        this.order = elf.order();
        this.symbols = elf.symbols();
    }

    static BpfObjectSpec open(MemorySegment data, String objectName) {
        ElfFile elf = ElfFile.parse(data);
        if (elf.machine() != ElfFile.EM_BPF) {
            throw new ObjectFormatException(null, 18, "not an eBPF object: e_machine is " + elf.machine()
                    + " (" + machineName(elf.machine()) + "), expected 247 (EM_BPF)");
        }
        if (elf.type() != ElfFile.ET_REL) {
            throw new ObjectFormatException(null, 16, "not a relocatable object: e_type is " + elf.type()
                    + ", expected 1 (ET_REL) as clang -c writes");
        }
        return new ObjectOpener(elf, objectName).read();
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 62 -> "x86-64";
            case 183 -> "AArch64";
            case 3 -> "i386";
            case 40 -> "ARM";
            case 243 -> "RISC-V";
            default -> "not BPF";
        };
    }

    private BpfObjectSpec read() {
        if (!hasSymbolTable()) {
            throw new ObjectFormatException(null, -1, "no symbol table (.symtab); was the object stripped?");
        }
        readBtf();
        String license = elf.section("license").map(this::cStringSection).orElse("");
        long version = elf.section("version").map(this::u32Section).orElse(0L);

        List<MapSpec> maps = new ArrayList<>();
        BtfMaps btfMaps = btf == null ? null
                : new BtfMaps(elf, btf, symbols, datasecs.get(MAPS), sectionVars.getOrDefault(MAPS, List.of()));
        elf.section(MAPS).ifPresent(s -> maps.addAll(btfMaps.read(s, this::registerMap)));
        elf.section(LEGACY_MAPS).ifPresent(s -> maps.addAll(readLegacyMaps(s)));
        for (ElfSection s : elf.sections()) {
            if (isDataSection(s.name()) && (s.type() == ElfFile.SHT_PROGBITS || s.type() == ElfFile.SHT_NOBITS)) {
                maps.add(readDataSection(s));
            }
        }
        bindArenaGlobals(maps);
        List<GlobalVariable> externs = readExterns();
        if (externs.stream().anyMatch(e -> e.section().equals(KCONFIG))) {
            maps.add(kconfigMap(externs));
        }

        List<ProgramSpec> programs = readPrograms();
        maps.addAll(StructOpsReader.read(elf, btf, symbols, programs, sectionVars));
        elf.section(MAPS).ifPresent(s -> btfMaps.readInitialSlots(s, mapsBySection.get(s.index())));
        return new BpfObjectSpec(objectName, order, license, version, btf, datasecLayouts, programs, maps, externs);
    }

    private boolean hasSymbolTable() {
        for (ElfSection s : elf.sections()) {
            if (s.type() == ElfFile.SHT_SYMTAB) {
                return true;
            }
        }
        return false;
    }

    /**
     * The function symbols of each section, by section index, in symbol table order; null
     * where a section has none. Built in one pass on first use.
     */
    private List<List<ElfSymbol>> functionsBySection;

    private List<ElfSymbol> functionsIn(int sectionIndex) {
        if (functionsBySection == null) {
            int n = elf.sections().size();
            List<List<ElfSymbol>> by = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                by.add(null);
            }
            for (ElfSymbol sym : symbols) {
                int idx = sym.sectionIndex();
                if (sym.type() == ElfFile.STT_FUNC && idx < n) {
                    List<ElfSymbol> l = by.get(idx);
                    if (l == null) {
                        l = new ArrayList<>();
                        by.set(idx, l);
                    }
                    l.add(sym);
                }
            }
            functionsBySection = by;
        }
        List<ElfSymbol> l = sectionIndex < functionsBySection.size() ? functionsBySection.get(sectionIndex) : null;
        return l == null ? List.of() : l;
    }

    // Comparators here are lambdas of this class, not Comparator.comparingLong's: a JDK AOT cache
    // keeps the former, while the latter spin their classes in every fresh process.
    private static final Comparator<ElfSymbol> BY_VALUE = (a, b) -> Long.compare(a.value(), b.value());

    private void readBtf() {
        ElfSection btfSection = elf.section(".BTF").orElse(null);
        if (btfSection == null) {
            if (elf.section(MAPS).isPresent()) {
                throw new ObjectFormatException(MAPS, -1, "BTF-defined maps need a .BTF section; compile with clang -g");
            }
            return;
        }
        btf = Btf.parse(kept(btfSection.data()));
        // Object BTF is small: check every member now so that open reports all of it.
        btf.validate();
        for (int id = 1; id < btf.typeCount(); id++) {
            // The kind first: decoding every type only to find the few DATASECs costs most of open.
            if (btf.kind(id) == BtfKind.DATASEC && btf.type(id) instanceof BtfType.Datasec d) {
                datasecs.putIfAbsent(d.name(), d);
            }
        }
        datasecs.forEach((name, ds) -> {
            if (!name.equals(KCONFIG) && !name.equals(KSYMS)) {
                List<DatasecVar> vars = fixDatasec(ds);
                sectionVars.put(name, vars);
                ElfSection section = elf.section(name).orElse(null);
                if (section != null) {
                    long size = ds.size() != 0 ? ds.size() : section.size();
                    List<BtfType.DatasecEntry> entries = new ArrayList<>(vars.size());
                    for (DatasecVar v : vars) {
                        entries.add(new BtfType.DatasecEntry(v.var().id(), v.offset(), v.size()));
                    }
                    datasecLayouts.add(new DatasecLayout(ds.id(), name, size, entries));
                }
            }
        });
        datasecLayouts.sort((a, b) -> Integer.compare(a.typeId(), b.typeId()));
        ElfSection ext = elf.section(".BTF.ext").orElse(null);
        if (ext != null) {
            btfExt = BtfExt.parse(kept(ext.data()), btf);
        }
    }

    /**
     * A section the spec reads after open returns (BTF, and BTF.ext's line info, are decoded
     * lazily): a mapped file (BpfObjects.open(Path)) is unmapped when open returns, so its
     * sections get a heap copy of their own; a heap segment is kept as it is.
     */
    private static MemorySegment kept(MemorySegment section) {
        return section.isNative() && section.byteSize() > 0
                ? MemorySegment.ofArray(section.toArray(ValueLayout.JAVA_BYTE)) : section;
    }

    /** libbpf's btf_fixup_datasec: offsets of global variables from their ELF symbols. */
    private List<DatasecVar> fixDatasec(BtfType.Datasec ds) {
        boolean fixOffsets = ds.size() == 0;
        List<DatasecVar> vars = new ArrayList<>(ds.entries().size());
        for (BtfType.DatasecEntry e : ds.entries()) {
            if (!(btf.type(e.type()) instanceof BtfType.Var v)) {
                throw new ObjectFormatException(".BTF", -1, "DATASEC '" + ds.name() + "' lists type [" + e.type()
                        + "], a " + btf.kind(e.type()) + ", where a VAR is expected");
            }
            if (v.linkage() != BtfType.Var.Linkage.GLOBAL) {
                vars.add(new DatasecVar(v, e.offset(), e.size(), v.linkage() == BtfType.Var.Linkage.STATIC));
                continue;
            }
            ElfSymbol sym = globalObjects().get(v.name());
            if (sym == null) {
                throw new ObjectFormatException(".BTF", -1, "variable '" + v.name() + "' of DATASEC '" + ds.name()
                        + "' has no ELF symbol");
            }
            boolean hidden = sym.visibility() == STV_HIDDEN || sym.visibility() == STV_INTERNAL;
            vars.add(new DatasecVar(v, fixOffsets ? sym.value() : e.offset(), e.size(), hidden));
        }
        vars.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return vars;
    }

    private Map<String, ElfSymbol> globalObjects;

    private Map<String, ElfSymbol> globalObjects() {
        if (globalObjects == null) {
            globalObjects = new HashMap<>();
            for (ElfSymbol sym : symbols) {
                if (sym.type() == ElfFile.STT_OBJECT && sym.isGlobal()) {
                    globalObjects.putIfAbsent(sym.name(), sym);
                }
            }
        }
        return globalObjects;
    }

    private void registerMap(ElfSection section, MapSpec map) {
        mapsBySection.computeIfAbsent(section.index(), k -> new HashMap<>()).put(map.sectionOffset(), map);
    }

    private String cStringSection(ElfSection s) {
        MemorySegment d = s.data();
        int n = (int) Math.min(d.byteSize(), 4096);
        int end = 0;
        while (end < n && d.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(d.asSlice(0, end).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private long u32Section(ElfSection s) {
        if (s.data().byteSize() != 4) {
            throw new ObjectFormatException(s.name(), 0, "expected 4 bytes (a u32 kernel version), found "
                    + s.data().byteSize());
        }
        return Integer.toUnsignedLong(s.data().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), 0));
    }

    // ---------------------------------------------------------------- legacy maps

    private List<MapSpec> readLegacyMaps(ElfSection s) {
        List<ElfSymbol> defs = new ArrayList<>();
        for (ElfSymbol sym : symbols) {
            if (sym.sectionIndex() == s.index() && sym.type() != ElfFile.STT_SECTION && !sym.name().isEmpty()) {
                defs.add(sym);
            }
        }
        defs.sort(BY_VALUE);
        if (defs.isEmpty()) {
            return List.of();
        }
        long size = s.data().byteSize();
        if (size % defs.size() != 0) {
            throw new ObjectFormatException(s.name(), -1, "section size " + size + " is not a multiple of its "
                    + defs.size() + " map definitions");
        }
        long defSize = size / defs.size();
        if (defSize < 20) {
            throw new ObjectFormatException(s.name(), -1, "map definitions of " + defSize
                    + " bytes are smaller than struct bpf_map_def (20 bytes)");
        }
        List<MapSpec> maps = new ArrayList<>(defs.size());
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        for (ElfSymbol sym : defs) {
            long off = sym.value();
            if (off < 0 || off % defSize != 0 || off > size - defSize) {
                throw new ObjectFormatException(s.name(), off, "map '" + sym.name()
                        + "' does not start at a definition boundary (" + defSize + " bytes each)");
            }
            MemorySegment d = s.data();
            MapSpec m = new MapSpec(sym.name(), MapSpec.Definition.LEGACY, s.name(), off)
                    .type(d.get(u32, off))
                    .keySize(Integer.toUnsignedLong(d.get(u32, off + 4)))
                    .valueSize(Integer.toUnsignedLong(d.get(u32, off + 8)))
                    .maxEntries(Integer.toUnsignedLong(d.get(u32, off + 12)))
                    .flags(Integer.toUnsignedLong(d.get(u32, off + 16)));
            // libbpf's longer bpf_map_def variant carries id and pinning after the flags.
            if (defSize >= 28) {
                m.pinning(MapSpec.Pinning.of(Integer.toUnsignedLong(d.get(u32, off + 24))));
            }
            registerMap(s, m);
            maps.add(m);
        }
        return maps;
    }

    // ---------------------------------------------------------------- global data

    /**
     * libbpf's global data sections: {@code .data}, {@code .rodata}, {@code .bss} and the
     * named ones each may have ({@code .data.foo}, {@code .rodata.str1.1}, {@code .bss.A} as the
     * selftests' {@code private(A)} puts locks and list heads apart), each a map of its own.
     */
    static boolean isDataSection(String name) {
        return name.equals(".data") || name.equals(".bss") || name.equals(".rodata")
                || name.startsWith(".data.") || name.startsWith(".rodata.") || name.startsWith(".bss.");
    }

    private MapSpec readDataSection(ElfSection s) {
        long size = s.size();
        if (size < 0 || size > MAX_DATA_SECTION) {
            throw new ObjectFormatException(s.name(), -1, "global data section of " + Long.toUnsignedString(size)
                    + " bytes is larger than a map value can be (" + MAX_DATA_SECTION + " bytes)");
        }
        BtfType.Datasec ds = datasecs.get(s.name());
        List<DatasecVar> vars = sectionVars.getOrDefault(s.name(), List.of());
        // As libbpf: mmap-able only when some variable is visible outside the object.
        boolean mmapable = false;
        for (DatasecVar v : vars) {
            if (!v.isStatic()) {
                mmapable = true;
                break;
            }
        }
        // As libbpf's bpf_map__name: custom .data.*/.rodata.* maps go by their whole section name;
        // the kernel gets its first 15 characters when the map is created.
        String name = s.name().startsWith(".data.") || s.name().startsWith(".rodata.") ? s.name()
                : internalMapName(s.name());
        MapSpec m = new MapSpec(name, MapSpec.Definition.DATA_SECTION, s.name(), 0)
                .type(MapType.ARRAY).keySize(4).valueSize(size).maxEntries(1)
                .flags((mmapable ? BpfFlags.BPF_F_MMAPABLE : 0)
                        | (s.name().startsWith(".rodata") ? BpfFlags.BPF_F_RDONLY_PROG : 0));
        if (!s.isNoBits()) {
            m.initialData(s.data().toArray(ValueLayout.JAVA_BYTE));
        }
        if (ds != null) {
            m.btfTypes(0, null, ds.id(), "datasec " + s.name());
            m.variables(variables(vars, s.name(), size));
        }
        registerMap(s, m);
        return m;
    }

    private List<GlobalVariable> variables(List<DatasecVar> vars, String section, long sectionSize) {
        List<GlobalVariable> out = new ArrayList<>(vars.size());
        for (DatasecVar dv : vars) {
            BtfType.Var v = dv.var();
            if (dv.offset() < 0 || dv.size() < 0 || dv.offset() > sectionSize - dv.size()) {
                throw new ObjectFormatException(".BTF", -1, "variable '" + v.name() + "' of " + section
                        + " at offset " + dv.offset() + " size " + dv.size() + " lies outside the section ("
                        + sectionSize + " bytes)");
            }
            out.add(new GlobalVariable(section, v.name(), dv.offset(), dv.size(), v.type(),
                    TypeNames.of(btf, v.type()), v.linkage().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return out;
    }

    /**
     * libbpf's name for the map of an internal section: up to 8 characters of the object name
     * then the section name ({@code syscount.bss}); custom sections ({@code .data.foo}) keep
     * their own name. At most 15 characters, and only characters the kernel allows.
     */
    String internalMapName(String section) {
        int suffix = Math.max(7, section.length());
        int prefix = section.indexOf('.', 1) >= 0 ? 0
                : Math.min(Math.max(0, KernelNames.MAX - suffix), objectName.length());
        return KernelNames.of(objectName.substring(0, prefix) + section);
    }

    // ---------------------------------------------------------------- arena globals

    /**
     * libbpf's arena globals: variables declared {@code __arena} live in {@code .addr_space.1},
     * which belongs to the object's one arena map. Their bytes become the map's initial data
     * (copied to the start of the arena at load), their relocations resolve to the arena map at
     * the variable's offset. As libbpf, an object may define at most one arena map, and arena
     * globals need one.
     */
    private void bindArenaGlobals(List<MapSpec> maps) {
        MapSpec arena = null;
        for (MapSpec m : maps) {
            if (m.mapType() == MapType.ARENA) {
                if (arena != null) {
                    throw new ObjectFormatException(m.section(), m.sectionOffset(), "map '" + m.name()
                            + "' is a second arena map besides '" + arena.name() + "'; an object may define only one"
                            + " arena map (as libbpf requires)");
                }
                arena = m;
            }
        }
        ElfSection s = elf.section(ARENA).orElse(null);
        if (s == null) {
            return;
        }
        if (arena == null) {
            List<String> names = new ArrayList<>();
            for (ElfSymbol sym : symbols) {
                if (sym.sectionIndex() == s.index() && sym.type() == ElfFile.STT_OBJECT) {
                    names.add(sym.name());
                }
            }
            throw new ObjectFormatException(ARENA, -1, "the object has __arena global variables " + names
                    + " but defines no arena map for them; declare one in SEC(\".maps\") with"
                    + " __uint(type, BPF_MAP_TYPE_ARENA)");
        }
        long size = s.size();
        if (size < 0 || size > MAX_DATA_SECTION) {
            throw new ObjectFormatException(ARENA, -1, "the __arena globals take " + Long.toUnsignedString(size)
                    + " bytes, more than bpfkit reads as initial data (" + MAX_DATA_SECTION + " bytes)");
        }
        byte[] data = s.isNoBits() ? new byte[(int) size] : s.data().toArray(ValueLayout.JAVA_BYTE);
        arena.arenaGlobals(data, variables(sectionVars.getOrDefault(ARENA, List.of()), ARENA, size));
        mapsBySection.computeIfAbsent(s.index(), k -> new HashMap<>()).put(0L, arena);
    }

    // ---------------------------------------------------------------- externs

    private List<GlobalVariable> readExterns() {
        Map<String, ElfSymbol> undefined = new HashMap<>();
        for (ElfSymbol sym : symbols) {
            if (sym.isUndefined() && sym.isGlobal() && !sym.name().isEmpty()) {
                undefined.put(sym.name(), sym);
            }
        }
        if (undefined.isEmpty()) {
            return List.of();
        }
        if (btf == null) {
            throw new ObjectFormatException(null, -1, "externs " + undefined.keySet()
                    + " need BTF to be resolved; compile with clang -g");
        }
        List<GlobalVariable> externs = new ArrayList<>(kconfigExterns(undefined));
        BtfType.Datasec ksyms = datasecs.get(KSYMS);
        for (BtfType.DatasecEntry e : ksyms == null ? List.<BtfType.DatasecEntry>of() : ksyms.entries()) {
            BtfType t = btf.type(e.type());
            ElfSymbol sym = undefined.remove(t.name());
            if (sym != null) {
                int typeId = t instanceof BtfType.Var v ? v.type() : t.id();
                externs.add(new GlobalVariable(KSYMS, t.name(), e.offset(), e.size(), typeId,
                        t instanceof BtfType.Func ? "func" : TypeNames.of(btf, typeId), linkage(sym)));
            }
        }
        // Extern functions (kfuncs) that clang did not list in .ksyms still resolve through BTF FUNCs.
        for (int id = 1; id < btf.typeCount() && !undefined.isEmpty(); id++) {
            if (btf.kind(id) == BtfKind.FUNC && btf.type(id) instanceof BtfType.Func f
                    && f.linkage() == BtfType.Func.Linkage.EXTERN) {
                ElfSymbol sym = undefined.remove(f.name());
                if (sym != null) {
                    externs.add(new GlobalVariable(KSYMS, f.name(), 0, 0, f.id(), "func", linkage(sym)));
                }
            }
        }
        if (!undefined.isEmpty()) {
            throw new ObjectFormatException(null, -1, "externs " + undefined.keySet()
                    + " are neither in .kconfig nor in .ksyms of the BTF");
        }
        return externs;
    }

    private static String linkage(ElfSymbol sym) {
        return sym.isWeak() ? "extern weak" : "extern";
    }

    /**
     * The {@code .kconfig} externs with libbpf's layout of the kconfig map: sorted by alignment
     * (largest first), then size (smallest first), then name, each at the next aligned offset.
     */
    private List<GlobalVariable> kconfigExterns(Map<String, ElfSymbol> undefined) {
        BtfType.Datasec ds = datasecs.get(KCONFIG);
        if (ds == null) {
            return List.of();
        }
        record Kcfg(BtfType.Var var, ElfSymbol sym, long size, long align) {
        }
        List<Kcfg> kcfg = new ArrayList<>();
        for (BtfType.DatasecEntry e : ds.entries()) {
            if (btf.type(e.type()) instanceof BtfType.Var v && undefined.containsKey(v.name())) {
                long size = btf.resolveSize(v.type());
                long align = TypeLayout.alignOf(btf, v.type());
                if (size <= 0 || align <= 0) {
                    throw new ObjectFormatException(".BTF", -1, "kconfig extern '" + v.name() + "' has type "
                            + TypeNames.of(btf, v.type()) + ", which has no size or alignment");
                }
                kcfg.add(new Kcfg(v, undefined.remove(v.name()), size, align));
            }
        }
        kcfg.sort(Comparator.comparingLong((Kcfg k) -> -k.align()).thenComparingLong(Kcfg::size)
                .thenComparing(k -> k.var().name()));
        List<GlobalVariable> out = new ArrayList<>();
        long off = 0;
        for (Kcfg k : kcfg) {
            off = (off + k.align() - 1) / k.align() * k.align();
            out.add(new GlobalVariable(KCONFIG, k.var().name(), off, k.size(), k.var().type(),
                    TypeNames.of(btf, k.var().type()), linkage(k.sym())));
            off += k.size();
        }
        return out;
    }

    /** The map holding {@code .kconfig} externs, laid out as libbpf lays it out. */
    private MapSpec kconfigMap(List<GlobalVariable> externs) {
        long size = 0;
        for (GlobalVariable v : externs) {
            if (v.section().equals(KCONFIG)) {
                size = Math.max(size, v.offset() + v.size());
            }
        }
        if (size > MAX_DATA_SECTION) {
            throw new ObjectFormatException(".BTF", -1, "the .kconfig externs take " + size
                    + " bytes, more than a map value can be (" + MAX_DATA_SECTION + " bytes)");
        }
        MapSpec m = new MapSpec(internalMapName(KCONFIG), MapSpec.Definition.KCONFIG, KCONFIG, 0)
                .type(MapType.ARRAY).keySize(4).valueSize(size).maxEntries(1)
                .flags(BpfFlags.BPF_F_MMAPABLE | BpfFlags.BPF_F_RDONLY_PROG);
        BtfType.Datasec ds = datasecs.get(KCONFIG);
        m.btfTypes(0, null, ds == null ? 0 : ds.id(), "datasec " + KCONFIG);
        m.variables(externs.stream().filter(v -> v.section().equals(KCONFIG)).toList());
        return m;
    }

    // ---------------------------------------------------------------- programs

    private List<ProgramSpec> readPrograms() {
        List<ProgramSpec> all = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (!s.isExecutable() || s.type() != ElfFile.SHT_PROGBITS || s.size() == 0) {
                continue;
            }
            readFunctions(s);
        }
        // Relocations, then the final specs with their instructions.
        Map<Integer, List<List<Relocation>>> relocs = HashMap.newHashMap(programsBySection.size());
        programsBySection.forEach((idx, progs) -> {
            List<List<Relocation>> lists = new ArrayList<>(progs.size());
            for (int i = 0; i < progs.size(); i++) {
                lists.add(new ArrayList<>());
            }
            relocs.put(idx, lists);
        });
        for (ElfSection rel : elf.sections()) {
            if (rel.type() == ElfFile.SHT_REL && programsBySection.containsKey(rel.info())) {
                readRelocations(rel, elf.section(rel.info()), relocs.get(rel.info()));
            } else if (rel.type() == ElfFile.SHT_RELA && programsBySection.containsKey(rel.info())) {
                throw new ObjectFormatException(rel.name(), -1, "RELA relocations are not used for eBPF code");
            }
        }
        for (ElfSection s : elf.sections()) {
            List<ProgramSpec> progs = programsBySection.get(s.index());
            if (progs == null) {
                continue;
            }
            List<List<Relocation>> lists = relocs.get(s.index());
            ProgramExtInfo[] exts = null;
            if (btfExt != null) {
                int[] from = new int[progs.size()];
                int[] count = new int[progs.size()];
                for (int i = 0; i < progs.size(); i++) {
                    from[i] = (int) (progs.get(i).sectionOffset() / Instructions.SIZE);
                    count[i] = progs.get(i).instructionCount();
                }
                exts = ProgramExtInfo.ofSection(btfExt, s.name(), from, count);
            }
            for (int i = 0; i < progs.size(); i++) {
                ProgramSpec p = progs.get(i);
                ProgramExtInfo ext = exts == null ? ProgramExtInfo.EMPTY : exts[i];
                ProgramSpec full = new ProgramSpec(p.name(), p.section(), p.sectionDef(), p.sectionOffset(),
                        p.isSubprogram(), order, p.instructionsUnsafe(), lists.get(i), ext)
                        .binding(p.isGlobal(), p.isHiddenGlobal());
                progs.set(i, full);
                all.add(full);
            }
        }
        return all;
    }

    private void readFunctions(ElfSection s) {
        boolean text = s.name().equals(TEXT);
        SectionDef def = SectionRules.resolve(s.name());
        List<ElfSymbol> funcs = functionsIn(s.index());
        if (funcs.size() > 1) {
            funcs.sort(BY_VALUE);
        }
        List<ProgramSpec> progs = new ArrayList<>(funcs.size());
        long size = s.data().byteSize();
        long previousEnd = 0;
        for (ElfSymbol f : funcs) {
            if (!text && !f.isGlobal()) {
                throw new ObjectFormatException(s.name(), f.value(), "program '" + f.name()
                        + "' is static; programs outside .text must be global functions (as libbpf requires)");
            }
            long off = f.value();
            long len = f.size();
            if (off % Instructions.SIZE != 0 || len % Instructions.SIZE != 0 || len == 0) {
                throw new ObjectFormatException(s.name(), off, "function '" + f.name() + "' at offset " + off
                        + " with size " + len + " is not a whole number of 8-byte instructions");
            }
            if (off < 0 || len < 0 || off > size || len > size - off) {
                throw new ObjectFormatException(s.name(), off, "function '" + f.name() + "' (" + len
                        + " bytes) lies outside its section (" + size + " bytes)");
            }
            if (off < previousEnd) {
                throw new ObjectFormatException(s.name(), off, "function '" + f.name() + "' overlaps the one before it");
            }
            previousEnd = off + len;
            byte[] insns = new byte[(int) len];
            MemorySegment.copy(s.data(), ValueLayout.JAVA_BYTE, off, insns, 0, (int) len);
            boolean hidden = f.visibility() == STV_HIDDEN || f.visibility() == STV_INTERNAL;
            progs.add(ProgramSpec.partial(f.name(), s.name(), def, off, text, order, insns)
                    .binding(f.isGlobal(), text && hidden));
        }
        if (!progs.isEmpty()) {
            programsBySection.put(s.index(), progs);
        }
    }

    private void readRelocations(ElfSection rel, ElfSection code, List<List<Relocation>> out) {
        List<ProgramSpec> progs = programsBySection.get(code.index());
        for (ElfRelocation r : elf.relocations(rel)) {
            long offset = r.offset();
            int p = programAt(progs, offset);
            if (p < 0) {
                throw new ObjectFormatException(rel.name(), offset, "relocation at offset " + offset
                        + " of " + code.name() + " is not inside any program");
            }
            ProgramSpec prog = progs.get(p);
            if ((offset - prog.sectionOffset()) % Instructions.SIZE != 0) {
                throw new ObjectFormatException(rel.name(), offset, "relocation at offset " + offset
                        + " is not at an instruction boundary");
            }
            int insn = (int) ((offset - prog.sectionOffset()) / Instructions.SIZE);
            out.get(p).add(classify(rel, prog, insn, symbols.get(r.symbolIndex())));
        }
    }

    private static int programAt(List<ProgramSpec> progs, long offset) {
        int lo = 0;
        int hi = progs.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            ProgramSpec p = progs.get(mid);
            if (offset < p.sectionOffset()) {
                hi = mid - 1;
            } else if (offset >= p.sectionOffset() + (long) p.instructionCount() * Instructions.SIZE) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Where a relocation is, for its errors: built only when one is thrown. */
    private static String where(int insn, ProgramSpec prog) {
        return "relocation of instruction " + insn + " of program '" + prog.name() + "'";
    }

    /** What libbpf's bpf_program__record_reloc decides for one relocation. */
    private Relocation classify(ElfSection rel, ProgramSpec prog, int insn, ElfSymbol sym) {
        byte[] code = prog.instructionsUnsafe();
        int opcode = Instructions.opcode(code, insn);
        int src = Instructions.srcReg(code, insn, order);
        long at = prog.sectionOffset() + (long) insn * Instructions.SIZE;
        if (sym.isUndefined()) {
            if (sym.name().isEmpty()) {
                throw new ObjectFormatException(rel.name(), at, where(insn, prog) + " names an undefined symbol without a name");
            }
            if (opcode == Instructions.OP_CALL) {
                return new Relocation(insn, Relocation.Kind.EXTERN_CALL, sym.name(), sym.name(), 0);
            }
            requireLdImm64(rel, at, prog, code, insn, opcode);
            return new Relocation(insn, Relocation.Kind.EXTERN_VARIABLE, sym.name(), sym.name(), 0);
        }
        if (sym.sectionIndex() >= elf.sections().size()) {
            throw new ObjectFormatException(rel.name(), at, where(insn, prog) + " names symbol '" + sym.name()
                    + "' in section " + sym.sectionIndex() + ", which does not exist");
        }
        ElfSection target = elf.section(sym.sectionIndex());
        if (opcode == Instructions.OP_CALL) {
            if (src != BpfInsn.BPF_PSEUDO_CALL) {
                throw new ObjectFormatException(rel.name(), at, where(insn, prog) + ": a call relocation must be a bpf-to-bpf"
                        + " call (src_reg 1), found src_reg " + src);
            }
            requireCode(rel, at, insn, prog, target);
            return new Relocation(insn, Relocation.Kind.CALL, sym.name(), target.name(), sym.value());
        }
        requireLdImm64(rel, at, prog, code, insn, opcode);
        // libbpf's sym_is_subprog: the address of a .text function, whatever src_reg clang wrote.
        if (target.name().equals(TEXT) && (sym.type() == ElfFile.STT_SECTION || sym.type() == ElfFile.STT_FUNC)) {
            requireCode(rel, at, insn, prog, target);
            return new Relocation(insn, Relocation.Kind.FUNCTION_POINTER, sym.name(), target.name(), sym.value());
        }
        Map<Long, MapSpec> maps = mapsBySection.get(target.index());
        if (target.name().equals(MAPS) || target.name().equals(LEGACY_MAPS)) {
            MapSpec m = maps == null ? null : maps.get(sym.value());
            if (m == null) {
                throw new ObjectFormatException(rel.name(), at, where(insn, prog) + " names '" + sym.name() + "' at offset "
                        + sym.value() + " of " + target.name() + ", where no map is defined");
            }
            return new Relocation(insn, Relocation.Kind.MAP, sym.name(), m.name(), sym.value());
        }
        if (maps != null && target.name().equals(ARENA)) {
            // libbpf's RELO_DATA against the arena map: the variable's offset from the arena's start.
            return new Relocation(insn, Relocation.Kind.DATA, sym.name(), maps.get(0L).name(), sym.value());
        }
        if (maps != null && isDataSection(target.name())) {
            MapSpec m = maps.get(0L);
            return new Relocation(insn, Relocation.Kind.DATA, sym.name(), m.name(), sym.value());
        }
        throw new ObjectFormatException(rel.name(), at, where(insn, prog) + " refers to '" + sym.name() + "' in section "
                + target.name() + ", which is neither a map, global data, nor code");
    }

    private void requireLdImm64(ElfSection rel, long at, ProgramSpec prog, byte[] code, int insn, int opcode) {
        if (opcode != Instructions.OP_LD_IMM64) {
            throw new ObjectFormatException(rel.name(), at, where(insn, prog) + ": expected ld_imm64 (0x18), found opcode 0x"
                    + Integer.toHexString(opcode));
        }
        if ((insn + 2) * Instructions.SIZE > code.length) {
            throw new ObjectFormatException(rel.name(), at, where(insn, prog) + ": ld_imm64 is cut off at the end of the program");
        }
    }

    private void requireCode(ElfSection rel, long at, int insn, ProgramSpec prog, ElfSection target) {
        if (!programsBySection.containsKey(target.index())) {
            throw new ObjectFormatException(rel.name(), at, where(insn, prog) + " points into " + target.name()
                    + ", which holds no functions");
        }
    }
}
