package io.bpfkit.linker;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.elf.StringTable;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfRelocation;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import io.bpfkit.elf.ElfWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Static linking of eBPF objects, as {@code bpftool gen object} and libbpf's linker do, in pure
 * Java: sections merged by name (each input's part aligned), symbols resolved across inputs
 * (globals, weak and strong definitions, externs), relocations rewritten to the merged offsets
 * and symbols, BTF appended, resolved and deduplicated, {@code .BTF.ext} merged.
 *
 * <p>Externs that no input defines stay externs, as with libbpf's linker: kfuncs, kernel
 * variables ({@code __ksym}) and {@code __kconfig} values are resolved at load, and any other
 * extern by a later link of this output with the object that defines it (an unresolved one fails
 * at load, naming it). Every problem is an {@link ObjectFormatException} naming the input file,
 * and the symbol where there is one.
 *
 * <pre>{@code
 * byte[] linked = BpfLinker.linkFiles(List.of(Path.of("a.bpf.o"), Path.of("b.bpf.o")));
 * Files.write(Path.of("app.bpf.o"), linked);
 * }</pre>
 */
public final class BpfLinker {
    /** One input object: the name errors use, and its bytes. */
    public record Input(String name, byte[] bytes) {
        public Input {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    private static final int SHN_LORESERVE = 0xff00;
    private static final int STT_FILE = 4;
    private static final String EXTERN = ".extern";

    private final List<OutSection> sections = new ArrayList<>();
    private final Map<String, OutSection> sectionsByName = new HashMap<>();
    private final List<OutSymbol> symbols = new ArrayList<>();
    private final Map<String, OutSymbol> globals = new LinkedHashMap<>();
    private final List<RawBtf.Type> btfTypes = new ArrayList<>();
    private final Map<String, OutDatasec> datasecs = new LinkedHashMap<>();
    private final Map<String, ExtSection> ext = new LinkedHashMap<>();
    private boolean anyBtf;

    private BpfLinker() {
    }

    /** Links object files; see {@link #link(List)} of inputs. */
    public static byte[] linkFiles(List<Path> files) {
        List<Input> inputs = new ArrayList<>();
        for (Path p : files) {
            try {
                inputs.add(new Input(p.toString(), Files.readAllBytes(p)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
            }
        }
        return link(inputs);
    }

    /**
     * Links the inputs, in order, into one relocatable eBPF object.
     *
     * @throws ObjectFormatException when an input is not a well-formed eBPF object, or the
     *     inputs cannot be linked (duplicate strong definitions, maps defined differently,
     *     unresolved externs, incompatible sections)
     */
    public static byte[] link(List<Input> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("nothing to link: no input objects");
        }
        BpfLinker linker = new BpfLinker();
        for (Input in : inputs) {
            try {
                linker.add(in);
            } catch (ObjectFormatException e) {
                throw e.inFile(in.name());
            } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
                throw new ObjectFormatException(in.name(), null, -1, "malformed object: " + e.getMessage(), e);
            }
        }
        return linker.finish();
    }

    // ---------------------------------------------------------------- model

    private static final class OutSection {
        final String name;
        final int type;
        final long flags;
        final long entsize;
        long align;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        long size;
        int index;
        final List<Reloc> relocations = new ArrayList<>();
        OutSymbol sectionSymbol;
        final String firstFile;

        OutSection(String name, int type, long flags, long align, long entsize, String firstFile) {
            this.name = name;
            this.type = type;
            this.flags = flags;
            this.align = Math.max(1, align);
            this.entsize = entsize;
            this.firstFile = firstFile;
        }

        boolean isExecutable() {
            return (flags & ElfFile.SHF_EXECINSTR) != 0;
        }
    }

    private record Reloc(long offset, OutSymbol symbol, int type) {
    }

    private static final class OutSymbol {
        final String name;
        int binding;
        int type;
        int visibility;
        OutSection section;
        /** SHN_ABS and the like; used when section is null and the symbol is not undefined. */
        int specialIndex;
        long value;
        long size;
        boolean extern;
        String file;
        /** The merged BTF id of its FUNC or VAR, 0 until BTF has been appended. */
        int btfId;
        /** The input, by position, whose definition replaced an extern or weak one. */
        int redefinedBy = -1;
        String mapDefinition;
        String mapFile;
        int finalIndex;

        OutSymbol(String name) {
            this.name = name;
        }

        boolean isWeak() {
            return binding == ElfFile.STB_WEAK;
        }
    }

    private static final class DatasecEntry {
        int type;
        long offset;
        long size;
        final OutSymbol global;

        DatasecEntry(int type, long offset, long size, OutSymbol global) {
            this.type = type;
            this.offset = offset;
            this.size = size;
            this.global = global;
        }
    }

    private static final class OutDatasec {
        final String name;
        final List<DatasecEntry> entries = new ArrayList<>();

        OutDatasec(String name) {
            this.name = name;
        }
    }

    /** One record of BTF.ext: its words, with {@code strings[i]} set where word i is a BTF string. */
    private record ExtRecord(int[] words, String[] strings, byte[] tail) {
    }

    private static final class ExtSection {
        final List<ExtRecord> funcs = new ArrayList<>();
        final List<ExtRecord> lines = new ArrayList<>();
        final List<ExtRecord> relos = new ArrayList<>();
    }

    /** Per input: where each of its sections went. */
    private static final class Placement {
        final OutSection[] target;
        final long[] offset;
        final boolean[] skipped;

        Placement(int n) {
            target = new OutSection[n];
            offset = new long[n];
            skipped = new boolean[n];
        }
    }

    // ---------------------------------------------------------------- one input

    private int inputIndex = -1;

    private void add(Input in) {
        inputIndex++;
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(in.bytes()));
        if (elf.machine() != ElfFile.EM_BPF) {
            throw new ObjectFormatException(null, 18, "not an eBPF object: e_machine is " + elf.machine()
                    + ", expected " + ElfFile.EM_BPF + " (EM_BPF)");
        }
        if (elf.type() != ElfFile.ET_REL) {
            throw new ObjectFormatException(null, 16, "not a relocatable object: e_type is " + elf.type());
        }
        if (elf.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new ObjectFormatException(null, 5, "big-endian objects are not linked (only little-endian)");
        }
        List<ElfSymbol> elfSymbols = elf.symbols();
        RawBtf btf = null;
        Btf parsedBtf = null;
        ElfSection btfSection = elf.section(".BTF").orElse(null);
        if (btfSection != null) {
            parsedBtf = Btf.parse(copy(btfSection.data())).validate();
            btf = RawBtf.read(bytes(btfSection.data()));
            anyBtf = true;
        }
        ElfSection extSection = elf.section(".BTF.ext").orElse(null);
        if (extSection != null && parsedBtf != null) {
            BtfExt.parse(copy(extSection.data()), parsedBtf);
        }

        Placement place = placeSections(in.name(), elf);
        mapSymbols(in.name(), elfSymbols, place, btf);
        appendRelocations(elf, elfSymbols, place);
        int[] typeMap = btf == null ? null : appendBtf(elf, elfSymbols, place, btf);
        if (extSection != null && btf != null) {
            appendExt(elf, place, bytes(extSection.data()), typeMap);
        }
    }

    private static MemorySegment copy(MemorySegment s) {
        return MemorySegment.ofArray(bytes(s));
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static boolean isLinkedData(ElfSection s) {
        if (s.index() == 0 || (s.type() != ElfFile.SHT_PROGBITS && s.type() != ElfFile.SHT_NOBITS)) {
            return false;
        }
        String n = s.name();
        if (n.equals(".text") && s.size() == 0) {
            return false; // no subprograms; libbpf's linker leaves it out too
        }
        return !n.equals(".BTF") && !n.equals(".BTF.ext") && !n.startsWith(".debug_");
    }

    private Placement placeSections(String file, ElfFile elf) {
        Placement place = new Placement(elf.sections().size());
        for (ElfSection s : elf.sections()) {
            if (!isLinkedData(s)) {
                continue;
            }
            OutSection out = sectionsByName.get(s.name());
            if (out == null) {
                out = new OutSection(s.name(), s.type(), s.flags(), s.alignment(), s.entrySize(), file);
                sections.add(out);
                sectionsByName.put(s.name(), out);
            } else {
                if (out.type != s.type() || out.flags != s.flags() || out.entsize != s.entrySize()) {
                    throw new ObjectFormatException(s.name(), -1, "section '" + s.name()
                            + "' has type " + s.type() + ", flags 0x" + Long.toHexString(s.flags())
                            + " here but type " + out.type + ", flags 0x" + Long.toHexString(out.flags)
                            + " in " + out.firstFile + "; they cannot be merged");
                }
                if (s.name().equals("license") || s.name().equals("version")) {
                    if (!Arrays.equals(out.data.toByteArray(), bytes(s.data()))) {
                        throw new ObjectFormatException(s.name(), -1, "section '" + s.name()
                                + "' differs from the one in " + out.firstFile + " ('"
                                + cString(bytes(s.data())) + "' vs '" + cString(out.data.toByteArray())
                                + "'); all inputs must agree");
                    }
                    place.skipped[s.index()] = true;
                    place.target[s.index()] = out;
                    continue;
                }
            }
            long align = Math.max(1, s.alignment());
            out.align = Math.max(out.align, align);
            long at = (out.size + out.align - 1) / out.align * out.align;
            if (s.type() != ElfFile.SHT_NOBITS) {
                while (out.data.size() < at) {
                    out.data.write(0);
                }
                out.data.writeBytes(bytes(s.data()));
            }
            out.size = at + s.size();
            place.target[s.index()] = out;
            place.offset[s.index()] = at;
        }
        return place;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void mapSymbols(String file, List<ElfSymbol> elfSymbols, Placement place, RawBtf btf) {
        OutSymbol[] resolved = new OutSymbol[elfSymbols.size()];
        for (ElfSymbol sym : elfSymbols) {
            if (sym.index() == 0 || sym.type() == STT_FILE) {
                continue;
            }
            int shndx = sym.sectionIndex();
            OutSection target = null;
            long base = 0;
            if (shndx != ElfFile.SHN_UNDEF && shndx < SHN_LORESERVE) {
                if (shndx >= place.target.length) {
                    throw new ObjectFormatException(".symtab", -1, "symbol '" + sym.name() + "' names section "
                            + shndx + ", but the file has " + place.target.length);
                }
                if (place.skipped[shndx] || place.target[shndx] == null) {
                    continue;
                }
                target = place.target[shndx];
                base = place.offset[shndx];
            }
            if (sym.type() == ElfFile.STT_SECTION) {
                if (target == null) {
                    continue;
                }
                if (target.sectionSymbol == null) {
                    OutSymbol s = new OutSymbol("");
                    s.binding = ElfFile.STB_LOCAL;
                    s.type = ElfFile.STT_SECTION;
                    s.section = target;
                    s.file = file;
                    symbols.add(s);
                    target.sectionSymbol = s;
                }
                resolved[sym.index()] = target.sectionSymbol;
                continue;
            }
            if (sym.binding() == ElfFile.STB_LOCAL) {
                OutSymbol s = newSymbol(file, sym, target, base);
                resolved[sym.index()] = s;
                continue;
            }
            boolean extern = shndx == ElfFile.SHN_UNDEF;
            String mapDefinition = target != null && target.name.equals(".maps") || extern && btf != null
                    ? MapDefinitions.describe(btf, sym.name()) : null;
            OutSymbol g = globals.get(sym.name());
            if (g == null) {
                g = newSymbol(file, sym, target, base);
                g.extern = extern;
                g.mapDefinition = mapDefinition;
                g.mapFile = mapDefinition == null ? null : file;
                globals.put(sym.name(), g);
                resolved[sym.index()] = g;
                continue;
            }
            resolved[sym.index()] = g;
            if (mapDefinition != null && g.mapDefinition != null && !mapDefinition.equals(g.mapDefinition)) {
                throw new ObjectFormatException(".maps", -1, "map '" + sym.name() + "' is declared differently here ("
                        + mapDefinition + ") and in " + g.mapFile + " (" + g.mapDefinition + ")");
            }
            if (!extern && !g.extern && !g.isWeak() && sym.binding() != ElfFile.STB_WEAK) {
                throw new ObjectFormatException(null, -1, "symbol '" + sym.name() + "' is defined (strong) both here and in "
                        + g.file + "; mark one __weak or make one static");
            }
            if (mapDefinition != null && g.mapDefinition == null) {
                g.mapDefinition = mapDefinition;
                g.mapFile = file;
            }
            if (!extern && !g.extern && g.type != sym.type()) {
                throw new ObjectFormatException(null, -1, "symbol '" + sym.name() + "' is a "
                        + kindName(sym.type()) + " here but a " + kindName(g.type) + " in " + g.file);
            }
            if (sym.binding() == ElfFile.STB_GLOBAL) {
                g.binding = ElfFile.STB_GLOBAL;
            }
            g.visibility = Math.max(g.visibility, sym.visibility());
            if (extern) {
                continue;
            }
            if (!g.extern && sym.binding() == ElfFile.STB_WEAK) {
                continue;
            }
            g.type = sym.type();
            g.section = target;
            g.value = base + sym.value();
            g.size = sym.size();
            g.extern = false;
            g.file = file;
            g.redefinedBy = inputIndex;
        }
        this.currentResolved = resolved;
    }

    /** The output symbol each symbol of the current input stands for (null: none). */
    private OutSymbol[] currentResolved;

    private static String kindName(int type) {
        return switch (type) {
            case ElfFile.STT_FUNC -> "function";
            case ElfFile.STT_OBJECT -> "variable";
            default -> "symbol of type " + type;
        };
    }

    private OutSymbol newSymbol(String file, ElfSymbol sym, OutSection target, long base) {
        OutSymbol s = new OutSymbol(sym.name());
        s.binding = sym.binding();
        s.type = sym.type();
        s.visibility = sym.visibility();
        s.section = target;
        s.specialIndex = target == null ? sym.sectionIndex() : 0;
        s.value = base + sym.value();
        s.size = sym.size();
        s.file = file;
        symbols.add(s);
        return s;
    }

    private void appendRelocations(ElfFile elf, List<ElfSymbol> elfSymbols, Placement place) {
        for (ElfSection rel : elf.sections()) {
            if (rel.type() != ElfFile.SHT_REL) {
                continue;
            }
            int targetIndex = rel.info();
            if (targetIndex <= 0 || targetIndex >= place.target.length) {
                throw new ObjectFormatException(rel.name(), -1, "relocates section " + targetIndex
                        + ", which does not exist");
            }
            OutSection target = place.target[targetIndex];
            if (target == null || place.skipped[targetIndex]) {
                continue;
            }
            long base = place.offset[targetIndex];
            byte[] code = null;
            for (ElfRelocation r : elf.relocations(rel)) {
                ElfSymbol sym = elfSymbols.get(r.symbolIndex());
                OutSymbol out = currentResolved[r.symbolIndex()];
                if (out == null) {
                    throw new ObjectFormatException(rel.name(), r.offset(), "relocation against symbol '"
                            + sym.name() + "', which is in no linked section");
                }
                long at = base + r.offset();
                if (sym.type() == ElfFile.STT_SECTION) {
                    if (!target.isExecutable()) {
                        throw new ObjectFormatException(rel.name(), r.offset(),
                                "relocation against a section symbol in non-code section '" + target.name
                                        + "' is not supported (libbpf refuses it too)");
                    }
                    if (at + 8 > target.data.size()) {
                        throw new ObjectFormatException(rel.name(), r.offset(), "relocation offset "
                                + r.offset() + " is outside section '" + target.name + "'");
                    }
                    if (code == null) {
                        code = target.data.toByteArray();
                    }
                    long shift = place.offset[sym.sectionIndex()];
                    ByteBuffer insn = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
                    int imm = insn.getInt((int) at + 4);
                    boolean call = (code[(int) at] & 0xff) == 0x85;
                    insn.putInt((int) at + 4, (int) (imm + (call ? shift / 8 : shift)));
                }
                target.relocations.add(new Reloc(at, out, r.type()));
            }
            if (code != null) {
                target.data.reset();
                target.data.writeBytes(code);
            }
        }
    }


    // ---------------------------------------------------------------- BTF

    /** A FUNC or VAR of an earlier input that this input's definition gives its type (a local id). */
    private record UnderlyingUpdate(RawBtf.Type merged, int localType) {
    }

    private int[] appendBtf(ElfFile elf, List<ElfSymbol> elfSymbols, Placement place, RawBtf btf) {
        int n = btf.count();
        int[] map = new int[n + 1];
        int firstNew = btfTypes.size() + 1;
        List<UnderlyingUpdate> underlyingUpdates = new ArrayList<>();
        for (int id = 1; id <= n; id++) {
            RawBtf.Type t = btf.type(id);
            if (t.kind == RawBtf.DATASEC) {
                continue;
            }
            OutSymbol g = null;
            if (t.isNonStatic()) {
                g = globals.get(t.name);
                if (g != null && g.btfId != 0) {
                    map[id] = g.btfId;
                    RawBtf.Type existing = btfTypes.get(g.btfId - 1);
                    if (existing.kind != t.kind) {
                        throw new ObjectFormatException(".BTF", -1, "'" + t.name + "' is a "
                                + (t.kind == RawBtf.FUNC ? "function" : "variable") + " here but a "
                                + (existing.kind == RawBtf.FUNC ? "function" : "variable") + " in " + g.file);
                    }
                    if (g.mapDefinition == null) {
                        String here = MapDefinitions.describeType(btf, t.sizeOrType);
                        String there = MapDefinitions.describeType(RawBtf.of(btfTypes), existing.sizeOrType);
                        // an extern array of unknown length (x[]) matches any length, as libbpf allows
                        if (!here.equals(there) && !here.contains("[0]") && !there.contains("[0]")) {
                            throw new ObjectFormatException(".BTF", -1, "'" + t.name + "' has type " + here
                                    + " here but " + there + " in " + g.file);
                        }
                    }
                    if (g.redefinedBy == inputIndex && t.linkage() != RawBtf.LINKAGE_EXTERN) {
                        if (t.kind == RawBtf.FUNC && existing.sizeOrType != 0 && t.sizeOrType != 0) {
                            nameParameters(btfTypes.get(existing.sizeOrType - 1), btf.type(t.sizeOrType));
                        }
                        existing.setLinkage(t.linkage());
                        underlyingUpdates.add(new UnderlyingUpdate(existing, t.sizeOrType));
                    }
                    continue;
                }
            }
            RawBtf.Type copy = t.copy();
            btfTypes.add(copy);
            map[id] = btfTypes.size();
            if (g != null) {
                g.btfId = btfTypes.size();
            }
        }
        for (int i = firstNew; i <= btfTypes.size(); i++) {
            btfTypes.get(i - 1).remapIds(x -> map[x]);
        }
        for (UnderlyingUpdate u : underlyingUpdates) {
            u.merged().sizeOrType = map[u.localType()];
        }
        for (int id = 1; id <= n; id++) {
            RawBtf.Type t = btf.type(id);
            if (t.kind == RawBtf.DATASEC) {
                appendDatasec(elf, elfSymbols, place, btf, t, map);
            }
        }
        return map;
    }

    /**
     * Gives an extern's prototype (clang writes its parameters unnamed) the names of the
     * definition's, so that deduplication sees one prototype, as libbpf's linker does.
     */
    private static void nameParameters(RawBtf.Type externProto, RawBtf.Type definitionProto) {
        if (externProto.kind != RawBtf.FUNC_PROTO || definitionProto.kind != RawBtf.FUNC_PROTO) {
            return;
        }
        for (int i = 0; i < Math.min(externProto.vlen, definitionProto.vlen); i++) {
            String name = definitionProto.strings[2 * i];
            if (name != null && !name.isEmpty()) {
                externProto.strings[2 * i] = name;
            }
        }
    }

    private void appendDatasec(ElfFile elf, List<ElfSymbol> elfSymbols, Placement place, RawBtf btf,
                               RawBtf.Type sec, int[] map) {
        ElfSection elfSection = elf.section(sec.name).orElse(null);
        long base = 0;
        if (elfSection != null) {
            if (place.skipped[elfSection.index()] || place.target[elfSection.index()] == null) {
                return;
            }
            base = place.offset[elfSection.index()];
        }
        OutDatasec out = datasecs.computeIfAbsent(sec.name, OutDatasec::new);
        for (int i = 0; i < sec.vlen; i++) {
            int localType = sec.extra[3 * i];
            long offset = Integer.toUnsignedLong(sec.extra[3 * i + 1]);
            long size = Integer.toUnsignedLong(sec.extra[3 * i + 2]);
            RawBtf.Type local = btf.type(localType);
            if (local.kind == RawBtf.VAR && local.linkage() == RawBtf.LINKAGE_GLOBAL && elfSection != null) {
                // the symbol is the authority on where a global lives (old clang wrote 0 here)
                for (ElfSymbol s : elfSymbols) {
                    if (s.sectionIndex() == elfSection.index() && s.name().equals(local.name)
                            && s.type() == ElfFile.STT_OBJECT) {
                        offset = s.value();
                        break;
                    }
                }
            }
            OutSymbol g = local.isNonStatic() ? globals.get(local.name) : null;
            boolean definition = local.linkage() != RawBtf.LINKAGE_EXTERN;
            DatasecEntry existing = null;
            if (g != null) {
                for (DatasecEntry e : out.entries) {
                    if (e.global == g) {
                        existing = e;
                        break;
                    }
                }
            }
            if (existing != null) {
                if (definition && g.redefinedBy == inputIndex) {
                    existing.offset = base + offset;
                    existing.size = size;
                }
                continue;
            }
            out.entries.add(new DatasecEntry(map[localType], base + offset, size, g));
        }
    }

    // ---------------------------------------------------------------- BTF.ext

    private void appendExt(ElfFile elf, Placement place, byte[] raw, int[] typeMap) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        byte[] btfBlob = bytes(elf.section(".BTF").orElseThrow().data());
        ByteBuffer bb = ByteBuffer.wrap(btfBlob).order(ByteOrder.LITTLE_ENDIAN);
        RawBtf.Strings strings = new RawBtf.Strings(btfBlob, bb.getInt(4) + bb.getInt(16), bb.getInt(20));
        readExt(b, hdrLen, b.getInt(8), b.getInt(12), elf, place, strings, typeMap, 0);
        readExt(b, hdrLen, b.getInt(16), b.getInt(20), elf, place, strings, typeMap, 1);
        if (hdrLen >= 32) {
            readExt(b, hdrLen, b.getInt(24), b.getInt(28), elf, place, strings, typeMap, 2);
        }
    }

    /** kind 0: func_info (insn_off, type); 1: line_info (insn_off, file, line, col); 2: CO-RE (insn_off, type, access, kind). */
    private void readExt(ByteBuffer b, int hdrLen, int off, int len, ElfFile elf, Placement place,
                         RawBtf.Strings strings, int[] typeMap, int kind) {
        if (len == 0) {
            return;
        }
        int p = hdrLen + off;
        int end = p + len;
        int recSize = b.getInt(p);
        p += 4;
        int known = kind == 0 ? 8 : 16;
        while (p < end) {
            String secName = strings.at(b.getInt(p));
            int count = b.getInt(p + 4);
            p += 8;
            ElfSection sec = elf.section(secName).orElse(null);
            OutSection out = sec == null ? null : place.target[sec.index()];
            long base = out == null ? 0 : place.offset[sec.index()];
            ExtSection dst = out == null ? null : ext.computeIfAbsent(secName, k -> new ExtSection());
            for (int i = 0; i < count; i++, p += recSize) {
                if (dst == null) {
                    continue;
                }
                int[] words = new int[known / 4];
                String[] strs = new String[words.length];
                for (int w = 0; w < words.length; w++) {
                    words[w] = b.getInt(p + 4 * w);
                }
                words[0] = (int) (Integer.toUnsignedLong(words[0]) + base);
                switch (kind) {
                    case 0 -> words[1] = typeMap[words[1]];
                    case 1 -> {
                        strs[1] = strings.at(words[1]);
                        strs[2] = strings.at(words[2]);
                    }
                    default -> {
                        words[1] = typeMap[words[1]];
                        strs[2] = strings.at(words[2]);
                    }
                }
                byte[] tail = new byte[recSize - known];
                b.get(p + known, tail);
                ExtRecord rec = new ExtRecord(words, strs, tail);
                (kind == 0 ? dst.funcs : kind == 1 ? dst.lines : dst.relos).add(rec);
            }
        }
    }

    // ---------------------------------------------------------------- output

    private byte[] finish() {
        ElfWriter w = new ElfWriter(ElfFile.EM_BPF);
        for (OutSection s : sections) {
            s.index = s.type == ElfFile.SHT_NOBITS
                    ? w.addNoBits(s.name, s.flags, s.align, s.size)
                    : w.addSection(s.name, s.type, s.flags, s.align, s.entsize, padded(s));
        }
        // symbols: locals first, as ELF requires; the writer numbers them in this order
        List<OutSymbol> ordered = new ArrayList<>();
        for (OutSymbol s : symbols) {
            if (s.binding == ElfFile.STB_LOCAL) {
                ordered.add(s);
            }
        }
        for (OutSymbol s : symbols) {
            if (s.binding != ElfFile.STB_LOCAL) {
                ordered.add(s);
            }
        }
        for (OutSymbol s : ordered) {
            int shndx = s.section != null ? s.section.index : s.extern ? ElfFile.SHN_UNDEF : s.specialIndex;
            s.finalIndex = w.addSymbol(s.name, s.binding, s.type, s.visibility, shndx, s.value, s.size);
        }
        for (OutSection s : sections) {
            if (s.relocations.isEmpty()) {
                continue;
            }
            ByteBuffer rel = ByteBuffer.allocate(16 * s.relocations.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (Reloc r : s.relocations) {
                rel.putLong(r.offset()).putLong(((long) r.symbol().finalIndex << 32) | (r.type() & 0xffffffffL));
            }
            w.addSection(".rel" + s.name, ElfFile.SHT_REL, 0, 8, 16, rel.array(), -1, s.index);
        }
        if (anyBtf) {
            int[] canonical = BtfDedup.canonical(btfTypes);
            int[] finalIds = new int[btfTypes.size() + 1];
            List<RawBtf.Type> out = new ArrayList<>();
            for (int id = 1; id <= btfTypes.size(); id++) {
                if (canonical[id] == id) {
                    out.add(btfTypes.get(id - 1));
                    finalIds[id] = out.size();
                }
            }
            for (int id = 1; id <= btfTypes.size(); id++) {
                finalIds[id] = finalIds[canonical[id]];
            }
            for (RawBtf.Type t : out) {
                t.remapIds(x -> finalIds[x]);
            }
            for (OutDatasec d : datasecs.values()) {
                out.add(datasecType(d, finalIds));
            }
            StringTable strings = new StringTable();
            byte[] extBytes = ext.isEmpty() ? null : writeExt(finalIds, strings);
            w.addSection(".BTF", ElfFile.SHT_PROGBITS, 0, 4, 0, RawBtf.write(out, strings));
            if (extBytes != null) {
                w.addSection(".BTF.ext", ElfFile.SHT_PROGBITS, 0, 4, 0, extBytes);
            }
        }
        return w.toBytes();
    }

    private RawBtf.Type datasecType(OutDatasec d, int[] finalIds) {
        OutSection section = sectionsByName.get(d.name);
        List<DatasecEntry> entries = new ArrayList<>();
        for (DatasecEntry e : d.entries) {
            if (d.name.equals(EXTERN) && e.global != null && !e.global.extern) {
                continue; // resolved: the definition's section lists it
            }
            entries.add(e);
        }
        entries.sort(Comparator.comparingLong(e -> e.offset));
        int[] words = new int[3 * entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            DatasecEntry e = entries.get(i);
            words[3 * i] = finalIds[e.type];
            words[3 * i + 1] = (int) e.offset;
            words[3 * i + 2] = (int) e.size;
        }
        int size = section == null ? 0 : (int) section.size;
        return new RawBtf.Type(d.name, RawBtf.DATASEC, entries.size(), false, size, words, new String[words.length]);
    }

    /** The BTF.ext section: func_info, line_info and CO-RE relocations per merged section. */
    private byte[] writeExt(int[] finalIds, StringTable strings) {
        byte[] funcs = extPart(0, 8, finalIds, strings);
        byte[] lines = extPart(1, 16, finalIds, strings);
        byte[] relos = extPart(2, 16, finalIds, strings);
        ByteBuffer b = ByteBuffer.allocate(32 + funcs.length + lines.length + relos.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(32)
                .putInt(0).putInt(funcs.length)
                .putInt(funcs.length).putInt(lines.length)
                .putInt(funcs.length + lines.length).putInt(relos.length);
        b.put(funcs).put(lines).put(relos);
        return b.array();
    }

    private byte[] extPart(int kind, int known, int[] finalIds, StringTable strings) {
        int recSize = -1;
        for (ExtSection e : ext.values()) {
            for (ExtRecord r : records(e, kind)) {
                int size = known + r.tail().length;
                if (recSize >= 0 && recSize != size) {
                    throw new ObjectFormatException(null, ".BTF.ext", -1, "inputs disagree on the "
                            + (kind == 0 ? "func_info" : kind == 1 ? "line_info" : "CO-RE relocation")
                            + " record size (" + recSize + " vs " + size + ")", null);
                }
                recSize = size;
            }
        }
        if (recSize < 0) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        java.util.function.IntConsumer put = v -> out.writeBytes(word.putInt(0, v).array());
        put.accept(recSize);
        for (OutSection s : sections) {
            ExtSection e = ext.get(s.name);
            if (e == null || records(e, kind).isEmpty()) {
                continue;
            }
            List<ExtRecord> recs = records(e, kind);
            put.accept(strings.add(s.name));
            put.accept(recs.size());
            for (ExtRecord r : recs) {
                int[] words = r.words().clone();
                if (kind != 1) {
                    words[1] = finalIds[words[1]];
                }
                for (int i = 0; i < words.length; i++) {
                    put.accept(r.strings()[i] != null ? strings.add(r.strings()[i]) : words[i]);
                }
                out.writeBytes(r.tail());
            }
        }
        return out.toByteArray();
    }

    private static List<ExtRecord> records(ExtSection e, int kind) {
        return kind == 0 ? e.funcs : kind == 1 ? e.lines : e.relos;
    }

    private static byte[] padded(OutSection s) {
        byte[] d = s.data.toByteArray();
        return d.length == s.size ? d : Arrays.copyOf(d, (int) s.size);
    }
}
