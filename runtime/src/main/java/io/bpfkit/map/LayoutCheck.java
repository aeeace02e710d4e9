package io.bpfkit.map;

import io.bpfkit.api.codec.Codec;
import io.bpfkit.binding.BindingCheck;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks made when a handle is created: a codec's size against the map's key or value
 * size, and, where the map has BTF, a struct codec's members against the BTF struct (names,
 * offsets, sizes, nested structs and array lengths). A mismatch names both sides.
 */
final class LayoutCheck {
    private LayoutCheck() {
    }

    /**
     * @param what e.g. {@code map 'counts' value}
     * @param mapSize the size the map has for it
     * @param btfTypeId the BTF type of it, 0 when unknown
     */
    static void check(String what, Codec<?> codec, long mapSize, Btf btf, int btfTypeId, boolean compareMembers) {
        if (codec.size() != mapSize) {
            throw new IllegalArgumentException(what + " is " + mapSize + " bytes" + btfName(btf, btfTypeId)
                    + ", but the codec " + describe(codec) + " is " + codec.size() + " bytes");
        }
        if (btf != null && btfTypeId != 0 && compareMembers) {
            compare(what, codec.layout(), btf, btfTypeId, describe(codec));
        }
    }

    private static String describe(Codec<?> codec) {
        MemoryLayout l = codec.layout();
        return l.name().map(n -> n + " (" + codec + ")").orElse(codec.toString());
    }

    private static String btfName(Btf btf, int id) {
        if (btf == null || id == 0) {
            return "";
        }
        return " (BTF type " + cName(btf, id) + ")";
    }

    static String cName(Btf btf, int id) {
        BtfType t = btf.type(id);
        String n = t.name().isEmpty() ? "<anonymous>" : t.name();
        return switch (t.kind()) {
            case STRUCT -> "struct " + n;
            case UNION -> "union " + n;
            case ARRAY -> cName(btf, ((BtfType.Array) t).type()) + "[" + ((BtfType.Array) t).elements() + "]";
            default -> n;
        };
    }

    private static void compare(String what, MemoryLayout layout, Btf btf, int typeId, String javaSide) {
        int id = btf.skipModifiersAndTypedefs(typeId);
        BtfType t = btf.type(id);
        long btfSize = btf.resolveSize(id);
        if (btfSize != layout.byteSize()) {
            throw mismatch(what, javaSide + " is " + layout.byteSize() + " bytes", cName(btf, id) + " is " + btfSize
                    + " bytes");
        }
        if (layout instanceof StructLayout s) {
            if (!(t instanceof BtfType.Struct st)) {
                throw mismatch(what, javaSide + " is a struct", cName(btf, id) + " is a " + t.kind().name()
                        .toLowerCase(Locale.ROOT));
            }
            compareStruct(what, s, btf, st, javaSide);
        } else if (layout instanceof SequenceLayout seq && t instanceof BtfType.Array a) {
            if (seq.elementCount() != a.elements()) {
                throw mismatch(what, javaSide + " has " + seq.elementCount() + " elements", cName(btf, id) + " has "
                        + a.elements());
            }
            compare(what, seq.elementLayout(), btf, a.type(), javaSide + " element");
        }
    }

    private static void compareStruct(String what, StructLayout s, Btf btf, BtfType.Struct st, String javaSide) {
        List<BtfType.Member> unmatched = new ArrayList<>(st.members());
        long offset = 0;
        for (MemoryLayout m : s.memberLayouts()) {
            long at = offset;
            offset += m.byteSize();
            if (m instanceof PaddingLayout || m.name().isEmpty()) {
                continue;
            }
            String name = m.name().get();
            BtfType.Member b = find(st, name);
            String javaMember = javaSide + " member '" + name + "' (offset " + at + ", " + m.byteSize() + " bytes)";
            if (b == null) {
                throw mismatch(what, javaMember, cName(btf, st.id()) + " has no member '" + name + "' or '"
                        + snake(name) + "'; its members are " + st.members().stream().map(BtfType.Member::name)
                        .toList());
            }
            unmatched.remove(b);
            long btfOffset = b.bitOffset() / 8;
            long btfSize = b.isBitfield() ? -1 : btf.resolveSize(b.type());
            String btfMember = cName(btf, st.id()) + " member '" + b.name() + "' (offset " + btfOffset + ", "
                    + (b.isBitfield() ? b.bitfieldSize() + " bits" : btfSize + " bytes") + ")";
            if (b.isBitfield() || b.bitOffset() % 8 != 0 || btfOffset != at || btfSize != m.byteSize()) {
                throw mismatch(what, javaMember, btfMember);
            }
            if (m instanceof GroupLayout || m instanceof SequenceLayout) {
                compare(what, m, btf, b.type(), javaSide + "." + name);
            }
        }
        if (!unmatched.isEmpty()) {
            throw mismatch(what, javaSide + " has no member for " + unmatched.stream()
                    .map(x -> "'" + x.name() + "'").toList(), cName(btf, st.id()) + " has them");
        }
    }

    private static BtfType.Member find(BtfType.Struct st, String javaName) {
        String snake = snake(javaName);
        for (BtfType.Member b : st.members()) {
            if (b.name().equals(javaName) || b.name().equals(snake)) {
                return b;
            }
        }
        return null;
    }

    /** {@code firstSeen} to {@code first_seen}: Java names of C members. */
    static String snake(String camel) {
        return BindingCheck.snake(camel);
    }

    private static IllegalArgumentException mismatch(String what, String javaSide, String btfSide) {
        return new IllegalArgumentException(what + " does not match its BTF type: Java " + javaSide + ", BTF "
                + btfSide);
    }
}
