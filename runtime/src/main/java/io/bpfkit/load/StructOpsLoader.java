package io.bpfkit.load;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.core.CoreNames;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.MapType;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.object.ProgramType;
import io.bpfkit.object.StructOpsSpec;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.MapCreateAttr;
import io.bpfkit.uapi.BpfFlags;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The load side of struct_ops, as libbpf's {@code bpf_map__init_kern_struct_ops} does it: finds
 * the kernel's ops struct and its map value {@code bpf_struct_ops_<struct>} in the kernel's BTF
 * (vmlinux, else a module's), tells each program the struct ({@code attach_btf_id}) and member
 * index ({@code expected_attach_type}) it implements, turns off programs only maps left out use,
 * and builds the kernel's value: data members copied by name, function pointers set to the
 * programs' descriptors once they are loaded.
 */
final class StructOpsLoader {
    static final String VALUE_PREFIX = "bpf_struct_ops_";
    /** {@code BPF_F_VTYPE_BTF_OBJ_FD}: {@code value_type_btf_obj_fd} names the module BTF of the value type. */
    static final int BPF_F_VTYPE_BTF_OBJ_FD = BpfFlags.BPF_F_VTYPE_BTF_OBJ_FD;

    /** What a struct_ops program is loaded with. */
    record Binding(int structTypeId, int memberIndex, String module) {
    }

    /** One map's kernel value type and the value built for it. */
    private record KernelValue(int valueTypeId, long valueSize, String module, byte[] value,
                               Map<String, List<Long>> programOffsets) {
    }

    private final BpfObjectSpec spec;
    private final Function<String, OwnedFd> moduleBtfFd;
    private final Map<String, KernelValue> values = new LinkedHashMap<>();
    private final Map<String, Binding> bindings = new HashMap<>();
    private final Map<String, String> boundBy = new HashMap<>();

    private StructOpsLoader(BpfObjectSpec spec, Function<String, OwnedFd> moduleBtfFd) {
        this.spec = spec;
        this.moduleBtfFd = moduleBtfFd;
    }

    /**
     * Resolves every struct_ops map the load creates against the kernel's BTF and sets the
     * autoload of the programs struct_ops maps use, on {@code spec} (the loader's own copy).
     */
    static StructOpsLoader prepare(BpfObjectSpec spec, Function<String, OwnedFd> moduleBtfFd) {
        StructOpsLoader l = new StructOpsLoader(spec, moduleBtfFd);
        for (MapSpec m : spec.maps()) {
            if (m.structOps() == null && m.mapType() == MapType.STRUCT_OPS && m.autocreate()) {
                throw new LoadException("map '" + m.name() + "'", "is a struct_ops map defined in " + m.section()
                        + "; struct_ops maps are the variables of SEC(\".struct_ops\") or SEC(\".struct_ops.link\"),"
                        + " whose struct says the kernel type and programs");
            }
            if (m.structOps() != null && m.autocreate()) {
                l.values.put(m.name(), l.resolve(m));
            }
        }
        l.adjustAutoload();
        return l;
    }

    /** Whether there is nothing to do (no struct_ops map is created). */
    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The struct and member program {@code name} implements, or null when no created map uses it. */
    Binding binding(String program) {
        return bindings.get(program);
    }

    /** A struct_ops map's creation: the kernel's value type and size, no object value type. */
    MapCreateAttr.Builder createAttr(MapSpec m, MapCreateAttr.Builder b, OwnedFd btfFd) {
        KernelValue v = values.get(m.name());
        b.valueSize((int) v.valueSize()).btfVmlinuxValueTypeId(v.valueTypeId()).btfKeyTypeId(0).btfValueTypeId(0);
        if (btfFd != null) {
            b.btfFd(btfFd.get());
        }
        if (v.module() != null) {
            b.valueTypeBtfObjFd(moduleBtfFd.apply(v.module()).get()).mapFlags((int) m.flags() | BPF_F_VTYPE_BTF_OBJ_FD);
        }
        return b;
    }

    /**
     * The kernel value of map {@code name} with each function pointer set to its program's
     * descriptor (as libbpf's bpf_map_prepare_vdata), or null when {@code name} is not a
     * struct_ops map this load created.
     */
    byte[] value(String name, Map<String, LoadedProgram> programs) {
        KernelValue v = values.get(name);
        if (v == null) {
            return null;
        }
        byte[] out = v.value().clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        v.programOffsets().forEach((program, offsets) -> {
            LoadedProgram p = programs.get(program);
            if (p != null) {
                for (long off : offsets) {
                    b.putLong((int) off, p.fd().get());
                }
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ resolution

    private record KernelTypes(Btf btf, String module, int typeId, BtfType.Struct type, int valueTypeId,
                               BtfType.Struct valueType, long dataOffset) {
    }

    private KernelValue resolve(MapSpec m) {
        StructOpsSpec ops = m.structOps();
        String what = "struct_ops map '" + m.name() + "'";
        Btf btf = spec.btf().orElseThrow(() -> new LoadException(what, "the object has no BTF"));
        BtfType.Struct type = (BtfType.Struct) btf.type(ops.typeId());
        KernelTypes k = kernelTypes(what, CoreNames.essential(ops.structName()));
        byte[] data = ops.data();
        byte[] value = new byte[Math.toIntExact(k.valueType().size())];
        Map<String, List<Long>> programOffsets = new LinkedHashMap<>();
        List<BtfType.Member> members = type.members();
        for (StructOpsSpec.FunctionPointer f : ops.functionPointers()) {
            if (f.memberIndex() < 0 || f.memberIndex() >= members.size()
                    || !members.get(f.memberIndex()).name().equals(f.member())) {
                throw new LoadException(what, "names program '" + f.program() + "' for member " + f.memberIndex()
                        + " '" + f.member() + "', which struct " + type.name() + " does not have at that index");
            }
        }
        for (int i = 0; i < members.size(); i++) {
            BtfType.Member member = members.get(i);
            String mwhat = what + ", member '" + member.name() + "'";
            long moff = member.bitOffset() / 8;
            long msize = btf.resolveSize(member.type());
            String program = programAt(ops, i);
            int kernIndex = memberIndex(k.type(), member.name());
            if (kernIndex < 0) {
                if (program != null || !zero(data, moff, msize)) {
                    throw new LoadException(mwhat, "is set, but the kernel's struct " + k.type().name()
                            + " has no such member (this kernel does not support it)");
                }
                continue; // zero and unknown to this kernel: left out, as libbpf does
            }
            BtfType.Member kernMember = k.type().members().get(kernIndex);
            if (member.isBitfield() || kernMember.isBitfield()) {
                throw new LoadException(mwhat, "is a bitfield, which struct_ops values cannot carry");
            }
            long kernOff = k.dataOffset() + kernMember.bitOffset() / 8;
            int mtype = btf.skipModifiersAndTypedefs(member.type());
            int kmtype = k.btf().skipModifiersAndTypedefs(kernMember.type());
            if (btf.kind(mtype) != k.btf().kind(kmtype)) {
                throw new LoadException(mwhat, "is a " + btf.kind(mtype).label() + " here but a "
                        + k.btf().kind(kmtype).label() + " in the kernel's struct " + k.type().name());
            }
            if (btf.kind(mtype) == BtfKind.PTR) {
                if (program == null) {
                    continue;
                }
                bind(mwhat, program, k, kernIndex, kmtype);
                programOffsets.computeIfAbsent(program, p -> new java.util.ArrayList<>()).add(kernOff);
                continue;
            }
            long kernSize = k.btf().resolveSize(kmtype);
            if (kernSize != msize) {
                throw new LoadException(mwhat, "is " + msize + " bytes here but " + kernSize
                        + " bytes in the kernel's struct " + k.type().name());
            }
            System.arraycopy(data, (int) moff, value, (int) kernOff, (int) msize);
        }
        return new KernelValue(k.valueTypeId(), k.valueType().size(), k.module(), value, programOffsets);
    }

    private void bind(String mwhat, String program, KernelTypes k, int kernIndex, int kernMemberType) {
        ProgramSpec p = spec.program(program).orElseThrow(() -> new LoadException(mwhat, "names program '"
                + program + "', which the object does not have"));
        if (p.type() != ProgramType.STRUCT_OPS) {
            throw new LoadException(mwhat, "names program '" + program + "', which is a " + p.type().libbpfName()
                    + " program, not struct_ops");
        }
        BtfType pointee = k.btf().type(k.btf().skipModifiersAndTypedefs(
                ((BtfType.Ptr) k.btf().type(kernMemberType)).type()));
        if (!(pointee instanceof BtfType.FuncProto)) {
            throw new LoadException(mwhat, "is not a function pointer in the kernel's struct " + k.type().name());
        }
        Binding b = new Binding(k.typeId(), kernIndex, k.module());
        Binding before = bindings.putIfAbsent(program, b);
        if (before != null && !before.equals(b)) {
            throw new LoadException(mwhat, "reuses program '" + program + "', which " + boundBy.get(program)
                    + " already binds to another struct or member (struct type " + before.structTypeId() + " member "
                    + before.memberIndex() + " vs " + b.structTypeId() + " member " + b.memberIndex()
                    + "); a struct_ops program implements one member of one struct");
        }
        boundBy.putIfAbsent(program, mwhat);
    }

    /** libbpf's find_struct_ops_kern_types: the value type first, in vmlinux then module BTF. */
    private static KernelTypes kernelTypes(String what, String structName) {
        String valueName = VALUE_PREFIX + structName;
        Btf btf = KernelBtf.vmlinux();
        String module = null;
        OptionalInt valueId = btf.findId(valueName, BtfKind.STRUCT);
        if (valueId.isEmpty()) {
            for (Map.Entry<String, Btf> e : KernelBtf.modules().entrySet()) {
                OptionalInt id = e.getValue().findId(valueName, BtfKind.STRUCT);
                if (id.isPresent() && id.getAsInt() >= e.getValue().firstId()) {
                    btf = e.getValue();
                    module = e.getKey();
                    valueId = id;
                    break;
                }
            }
        }
        if (valueId.isEmpty()) {
            throw new LoadException(what, "the kernel's BTF (vmlinux and loaded modules) has no struct " + valueName
                    + ": this kernel has no struct_ops type struct " + structName);
        }
        int typeId = btf.findId(structName, BtfKind.STRUCT).orElseThrow(() -> new LoadException(what,
                "the kernel's BTF has no struct " + structName));
        BtfType.Struct valueType = (BtfType.Struct) btf.type(valueId.getAsInt());
        Optional<BtfType.Member> data = valueType.members().stream().filter(x -> x.type() == typeId).findFirst();
        if (data.isEmpty()) {
            throw new LoadException(what, "the kernel's struct " + valueName + " holds no struct " + structName);
        }
        return new KernelTypes(btf, module, typeId, (BtfType.Struct) btf.type(typeId), valueId.getAsInt(), valueType,
                data.get().bitOffset() / 8);
    }

    private static int memberIndex(BtfType.Struct type, String name) {
        List<BtfType.Member> members = type.members();
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String programAt(StructOpsSpec ops, int memberIndex) {
        for (StructOpsSpec.FunctionPointer f : ops.functionPointers()) {
            if (f.memberIndex() == memberIndex) {
                return f.program();
            }
        }
        return null;
    }

    private static boolean zero(byte[] data, long off, long size) {
        for (long i = off; i < Math.min(data.length, off + size); i++) {
            if (data[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * libbpf's bpf_object_adjust_struct_ops_autoload: a struct_ops program some struct_ops map
     * uses loads when a map that is created uses it, and not otherwise; programs no map uses keep
     * their autoload.
     */
    private void adjustAutoload() {
        for (ProgramSpec p : spec.programs()) {
            if (p.type() != ProgramType.STRUCT_OPS || p.isSubprogram()) {
                continue;
            }
            boolean used = false;
            boolean created = false;
            for (MapSpec m : spec.maps()) {
                if (m.structOps() != null && m.structOps().uses(p.name())) {
                    used = true;
                    created |= m.autocreate();
                }
            }
            if (used) {
                p.autoload(created);
            }
        }
    }
}
