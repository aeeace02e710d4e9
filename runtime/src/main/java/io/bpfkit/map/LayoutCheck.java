package io.bpfkit.map;

import io.bpfkit.api.LoadException;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.btf.Btf;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks made when a handle is created: a codec's size against the map's key or value
 * size, and, where the map has BTF, the C type the codec stands for against the BTF type, with
 * the comparison bindings use ({@link BindingCheck#mismatch}): kinds, array lengths, struct
 * members (names, offsets, sizes, nested structs) and the signedness of integers. A mismatch
 * is a {@link LoadException} on the map, as a binding's is, naming both sides.
 *
 * <p>The C type of a codec: a {@link RecordCodec}'s struct ({@code @Unsigned} components are
 * unsigned, the others signed, as in bindings); {@code Codecs.uint8()}..{@code uint64()} are
 * unsigned; {@code Codecs.int8()}..{@code int64()} carry the bits of either signedness (bindings
 * use them for {@code @Unsigned Integer} too); other codecs by their layout, integers of either
 * signedness.
 */
final class LayoutCheck {
    private static final Map<Codec<?>, CType> BUILT_IN = Map.ofEntries(
            Map.entry(Codecs.int8(), new CType.AnyInt(1)), Map.entry(Codecs.int16(), new CType.AnyInt(2)),
            Map.entry(Codecs.int32(), new CType.AnyInt(4)), Map.entry(Codecs.int64(), new CType.AnyInt(8)),
            Map.entry(Codecs.uint8(), CType.integer(1, true)), Map.entry(Codecs.uint16(), CType.integer(2, true)),
            Map.entry(Codecs.uint32(), CType.integer(4, true)), Map.entry(Codecs.uint64(), CType.integer(8, true)),
            Map.entry(Codecs.float32(), CType.floating(4)), Map.entry(Codecs.float64(), CType.floating(8)),
            Map.entry(Codecs.bool(), CType.bool()));

    private LayoutCheck() {
    }

    /**
     * @param map the map, as {@code map 'counts'}: the element of the {@link LoadException}
     * @param part what of it the codec stands for: {@code key}, {@code value}
     * @param mapSize the size the map has for it
     * @param btfTypeId the BTF type of it, 0 when unknown
     * @param compareTypes whether to compare with BTF beyond the size (not for LPM keys, whose
     *     struct is the program's own)
     * @throws LoadException when the codec does not fit: the object does not have what was asked
     *     for, as a binding whose declarations do not fit the object
     */
    static void check(String map, String part, Codec<?> codec, long mapSize, Btf btf, int btfTypeId,
            boolean compareTypes) {
        boolean withBtf = btf != null && btfTypeId != 0;
        if (codec.size() != mapSize) {
            throw new LoadException(map, part + " is " + mapSize + " bytes"
                    + (withBtf ? " (BTF type " + BindingCheck.cName(btf, btfTypeId) + ")" : "") + ", but the codec "
                    + describe(codec) + " is " + codec.size() + " bytes");
        }
        if (!withBtf || !compareTypes) {
            return;
        }
        CType java = ctype(codec);
        String mismatch = java == null ? null : BindingCheck.mismatch(part, java, javaName(codec), btf, btfTypeId);
        if (mismatch != null) {
            throw new LoadException(map, mismatch);
        }
    }

    /** The C type {@code codec} stands for, or null when its layout says too little to compare. */
    static CType ctype(Codec<?> codec) {
        if (codec instanceof RecordCodec<?> r) {
            return r.ctype();
        }
        CType builtIn = BUILT_IN.get(codec);
        return builtIn != null ? builtIn : fromLayout(codec.layout());
    }

    /** A hand-written codec's C type from its layout: named struct members, arrays, scalars. */
    private static CType fromLayout(MemoryLayout layout) {
        return switch (layout) {
            case ValueLayout v when v.carrier() == float.class || v.carrier() == double.class ->
                    CType.floating((int) v.byteSize());
            case ValueLayout v when v.carrier() == boolean.class -> CType.bool();
            case ValueLayout v when v.carrier().isPrimitive() -> new CType.AnyInt((int) v.byteSize());
            case SequenceLayout s -> {
                CType element = fromLayout(s.elementLayout());
                yield element == null || s.elementCount() > Integer.MAX_VALUE ? null
                        : CType.array(element, (int) s.elementCount());
            }
            case StructLayout s -> struct(s);
            default -> null;
        };
    }

    private static CType struct(StructLayout s) {
        List<CType.Member> members = new ArrayList<>();
        long at = 0;
        for (MemoryLayout m : s.memberLayouts()) {
            long offset = at;
            at += m.byteSize();
            if (m instanceof PaddingLayout) {
                continue;
            }
            CType type = fromLayout(m);
            if (type == null || m.name().isEmpty()) {
                return null;
            }
            members.add(new CType.Member(m.name().get(), offset, type));
        }
        return new CType.Struct(s.name().orElse("?"), null, members, s.byteSize(), s.byteAlignment());
    }

    private static String javaName(Codec<?> codec) {
        return codec instanceof RecordCodec<?> r ? "record " + r.type().getSimpleName() : codec.toString();
    }

    private static String describe(Codec<?> codec) {
        MemoryLayout l = codec.layout();
        return l.name().map(n -> n + " (" + codec + ")").orElse(codec.toString());
    }
}
