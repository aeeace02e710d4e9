package io.bpfkit.object;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfRelocation;
import io.bpfkit.elf.ElfSection;
import io.bpfkit.elf.ElfSymbol;
import io.bpfkit.uapi.BpfFlags;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The struct_ops maps of an object, as libbpf's open makes them: each variable of
 * {@code .struct_ops} or {@code .struct_ops.link} (and their {@code ?}-prefixed forms, whose
 * maps are not created by default) becomes a STRUCT_OPS map named after the variable, and the
 * section's relocations say which program each function pointer member names.
 */
final class StructOpsReader {
    static final String SECTION = ".struct_ops";
    static final String LINK_SECTION = ".struct_ops.link";
    private static final Set<String> SECTIONS = Set.of(SECTION, LINK_SECTION, "?" + SECTION, "?" + LINK_SECTION);
    /** Section indexes from here on are special (SHN_ABS, SHN_COMMON, ...), never a program's. */
    private static final int SHN_LORESERVE = 0xff00;

    private final ElfFile elf;
    private final Btf btf;
    private final List<ElfSymbol> symbols;
    private final List<ProgramSpec> programs;

    private StructOpsReader(ElfFile elf, Btf btf, List<ElfSymbol> symbols, List<ProgramSpec> programs) {
        this.elf = elf;
        this.btf = btf;
        this.symbols = symbols;
        this.programs = programs;
    }

    /** Whether libbpf reads section {@code name} as struct_ops variables. */
    static boolean isStructOpsSection(String name) {
        return SECTIONS.contains(name);
    }

    /**
     * The struct_ops maps of every struct_ops section, in section then variable order.
     *
     * @param sectionVars the fixed-up variables of each DATASEC (offsets from the ELF symbols)
     */
    static List<MapSpec> read(ElfFile elf, Btf btf, List<ElfSymbol> symbols, List<ProgramSpec> programs,
                              Map<String, List<DatasecVar>> sectionVars) {
        StructOpsReader r = new StructOpsReader(elf, btf, symbols, programs);
        List<MapSpec> out = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (isStructOpsSection(s.name())) {
                out.addAll(r.readSection(s, sectionVars.get(s.name())));
            }
        }
        return out;
    }

    private record Variable(MapSpec map, BtfType.Struct type, long offset, byte[] data,
                            Map<Integer, StructOpsSpec.FunctionPointer> pointers) {
    }

    private List<MapSpec> readSection(ElfSection s, List<DatasecVar> vars) {
        if (btf == null) {
            throw new ObjectFormatException(s.name(), -1, "struct_ops variables need the object's BTF to say their"
                    + " types; compile with clang -g");
        }
        if (vars == null) {
            throw new ObjectFormatException(s.name(), -1, "the BTF has no DATASEC '" + s.name()
                    + "' describing the struct_ops variables of this section");
        }
        boolean optional = s.name().startsWith("?");
        boolean link = s.name().endsWith(LINK_SECTION);
        long sectionSize = s.size();
        List<Variable> variables = new ArrayList<>(vars.size());
        for (DatasecVar v : vars) {
            String var = v.var().name();
            int typeId = btf.skipModifiersAndTypedefs(v.var().type());
            if (!(btf.type(typeId) instanceof BtfType.Struct st)) {
                throw new ObjectFormatException(s.name(), v.offset(), "struct_ops variable '" + var + "' has type "
                        + TypeNames.of(btf, v.var().type()) + "; a struct_ops variable must be a struct");
            }
            if (st.name().isEmpty()) {
                throw new ObjectFormatException(s.name(), v.offset(), "struct_ops variable '" + var
                        + "' has an anonymous struct type; the kernel's ops struct is found by its name");
            }
            if (v.offset() < 0 || st.size() > sectionSize || v.offset() > sectionSize - st.size()
                    || st.size() > ObjectOpener.MAX_DATA_SECTION) {
                throw new ObjectFormatException(s.name(), v.offset(), "struct_ops variable '" + var + "' (struct "
                        + st.name() + ", " + st.size() + " bytes at offset " + v.offset()
                        + ") lies beyond the end of the section (" + sectionSize + " bytes)");
            }
            byte[] data = new byte[Math.toIntExact(st.size())];
            if (!s.isNoBits()) {
                MemorySegment.copy(s.data(), ValueLayout.JAVA_BYTE, v.offset(), data, 0, data.length);
            }
            MapSpec m = new MapSpec(var, MapSpec.Definition.STRUCT_OPS, s.name(), v.offset())
                    .type(MapType.STRUCT_OPS).keySize(4).valueSize(st.size()).maxEntries(1)
                    .flags(link ? BpfFlags.BPF_F_LINK : 0)
                    .autocreate(!optional)
                    .btfTypes(0, null, typeId, "struct " + st.name());
            variables.add(new Variable(m, st, v.offset(), data, new LinkedHashMap<>()));
        }
        for (ElfSection rel : elf.sections()) {
            if (rel.info() == s.index() && rel.type() == ElfFile.SHT_REL) {
                for (ElfRelocation r : elf.relocations(rel)) {
                    bind(s, variables, r);
                }
            } else if (rel.info() == s.index() && rel.type() == ElfFile.SHT_RELA) {
                throw new ObjectFormatException(rel.name(), -1, "RELA relocations are not used for struct_ops variables");
            }
        }
        List<MapSpec> out = new ArrayList<>(variables.size());
        for (Variable v : variables) {
            List<StructOpsSpec.FunctionPointer> pointers = new ArrayList<>(v.pointers().values());
            pointers.sort((a, b) -> Integer.compare(a.memberIndex(), b.memberIndex()));
            v.map().structOps(new StructOpsSpec(v.type().name(), v.type().id(), v.data(), pointers, link));
            out.add(v.map());
        }
        return out;
    }

    /** libbpf's bpf_object__collect_st_ops_relos for one relocation: a function pointer set to a program. */
    private void bind(ElfSection s, List<Variable> variables, ElfRelocation r) {
        long at = r.offset();
        Variable v = null;
        for (Variable candidate : variables) {
            if (at >= candidate.offset() && at - candidate.offset() < candidate.type().size()) {
                v = candidate;
                break;
            }
        }
        if (v == null) {
            throw new ObjectFormatException(s.name(), at, "relocation at offset " + at
                    + " is not inside any struct_ops variable of the section");
        }
        String map = "struct_ops map '" + v.map().name() + "'";
        if (r.symbolIndex() < 0 || r.symbolIndex() >= symbols.size()) {
            throw new ObjectFormatException(s.name(), at, map + ": relocation names symbol " + r.symbolIndex()
                    + ", which the symbol table does not have");
        }
        ElfSymbol sym = symbols.get(r.symbolIndex());
        long moff = at - v.offset();
        int memberIndex = memberAt(v.type(), moff);
        if (memberIndex < 0) {
            throw new ObjectFormatException(s.name(), at, map + ": no member of struct " + v.type().name()
                    + " starts at offset " + moff + ", where a relocation (to '" + sym.name() + "') points");
        }
        BtfType.Member member = v.type().members().get(memberIndex);
        String where = map + ", member '" + member.name() + "'";
        if (!isFunctionPointer(member.type())) {
            throw new ObjectFormatException(s.name(), at, where + " is " + TypeNames.of(btf, member.type())
                    + ", not a function pointer, yet a relocation sets it to '" + sym.name() + "'");
        }
        if (sym.sectionIndex() <= 0 || sym.sectionIndex() >= SHN_LORESERVE
                || sym.sectionIndex() >= elf.sections().size()) {
            throw new ObjectFormatException(s.name(), at, where + " is set to '" + sym.name()
                    + "', which is not a function of this object (section index " + sym.sectionIndex() + ")");
        }
        if (sym.value() % Instructions.SIZE != 0) {
            throw new ObjectFormatException(s.name(), at, where + " is set to '" + sym.name() + "' at offset "
                    + sym.value() + ", which is not an instruction boundary");
        }
        String section = elf.section(sym.sectionIndex()).name();
        ProgramSpec prog = programAt(section, sym.value());
        if (prog == null) {
            throw new ObjectFormatException(s.name(), at, where + " is set to '" + sym.name() + "' in section "
                    + section + ", which is not a program");
        }
        if (prog.type() != ProgramType.STRUCT_OPS) {
            throw new ObjectFormatException(s.name(), at, where + " is set to program '" + prog.name()
                    + "' of section '" + prog.section() + "', which is not a struct_ops program"
                    + " (put it in SEC(\"struct_ops/...\"))");
        }
        // libbpf keeps a pointer to the program in these bytes; bpfkit keeps the name apart and zeros.
        java.util.Arrays.fill(v.data(), (int) moff, (int) Math.min(v.data().length, moff + 8), (byte) 0);
        v.pointers().put(memberIndex, new StructOpsSpec.FunctionPointer(memberIndex, member.name(), moff,
                prog.name()));
    }

    private static int memberAt(BtfType.Struct type, long byteOffset) {
        List<BtfType.Member> members = type.members();
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).bitOffset() == byteOffset * 8) {
                return i;
            }
        }
        return -1;
    }

    private boolean isFunctionPointer(int typeId) {
        int t = btf.skipModifiersAndTypedefs(typeId);
        return btf.type(t) instanceof BtfType.Ptr p
                && btf.type(btf.skipModifiersAndTypedefs(p.type())) instanceof BtfType.FuncProto;
    }

    private ProgramSpec programAt(String section, long offset) {
        for (ProgramSpec p : programs) {
            if (p.section().equals(section) && offset >= p.sectionOffset()
                    && offset < p.sectionOffset() + (long) p.instructionCount() * Instructions.SIZE) {
                return p;
            }
        }
        return null;
    }
}
