package io.bpfkit.linker;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * BTF types as the words they are written as, with their strings resolved: what the linker
 * appends, remaps, deduplicates and writes back. The blob is validated by
 * {@link io.bpfkit.btf.Btf#parse} before it is read here, so reads here trust its bounds.
 */
final class RawBtf {
    static final int INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
            VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15,
            FLOAT = 16, DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;
    static final int LINKAGE_STATIC = 0;
    static final int LINKAGE_GLOBAL = 1;
    static final int LINKAGE_EXTERN = 2;

    /** One type: header words and the words after it; {@code strings[i]} is set where word i is a name. */
    static final class Type {
        String name;
        int kind;
        int vlen;
        boolean kindFlag;
        int sizeOrType;
        int[] extra;
        String[] strings;

        Type(String name, int kind, int vlen, boolean kindFlag, int sizeOrType, int[] extra, String[] strings) {
            this.name = name;
            this.kind = kind;
            this.vlen = vlen;
            this.kindFlag = kindFlag;
            this.sizeOrType = sizeOrType;
            this.extra = extra;
            this.strings = strings;
        }

        Type copy() {
            return new Type(name, kind, vlen, kindFlag, sizeOrType, extra.clone(), strings.clone());
        }

        boolean sizeOrTypeIsId() {
            return switch (kind) {
                case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR, DECL_TAG, TYPE_TAG -> true;
                default -> false;
            };
        }

        /** Indexes into {@link #extra} that hold type ids. */
        int[] idWords() {
            return switch (kind) {
                case ARRAY -> new int[] {0, 1};
                case STRUCT, UNION -> stride(3, 1);
                case FUNC_PROTO -> stride(2, 1);
                case DATASEC -> stride(3, 0);
                default -> new int[0];
            };
        }

        private int[] stride(int step, int at) {
            int[] r = new int[vlen];
            for (int i = 0; i < vlen; i++) {
                r[i] = i * step + at;
            }
            return r;
        }

        /** FUNC linkage or VAR linkage; 0 for other kinds. */
        int linkage() {
            return kind == FUNC ? vlen : kind == VAR ? extra[0] : 0;
        }

        void setLinkage(int linkage) {
            if (kind == FUNC) {
                vlen = linkage;
            } else if (kind == VAR) {
                extra[0] = linkage;
            }
        }

        /** A global or extern FUNC or VAR: one per name in a linked object. */
        boolean isNonStatic() {
            return (kind == FUNC || kind == VAR) && linkage() != LINKAGE_STATIC;
        }

        void remapIds(java.util.function.IntUnaryOperator map) {
            if (sizeOrTypeIsId()) {
                sizeOrType = map.applyAsInt(sizeOrType);
            }
            for (int w : idWords()) {
                extra[w] = map.applyAsInt(extra[w]);
            }
        }

        /** Everything but the type ids it refers to. */
        String shape() {
            StringBuilder sb = new StringBuilder();
            sb.append(kind).append('|').append(name).append('|').append(vlen).append('|').append(kindFlag);
            if (!sizeOrTypeIsId()) {
                sb.append('|').append(sizeOrType);
            }
            int[] ids = idWords();
            int next = 0;
            for (int i = 0; i < extra.length; i++) {
                if (next < ids.length && ids[next] == i) {
                    next++;
                    sb.append("|#");
                } else if (strings[i] != null) {
                    sb.append('|').append('"').append(strings[i]).append('"');
                } else {
                    sb.append('|').append(extra[i]);
                }
            }
            return sb.toString();
        }
    }

    final List<Type> types;

    private RawBtf(List<Type> types) {
        this.types = types;
    }

    /** A view of types numbered from 1 in list order (the linker's merged types). */
    static RawBtf of(List<Type> types) {
        return new RawBtf(types);
    }

    /** Type {@code id} (1-based). */
    Type type(int id) {
        return types.get(id - 1);
    }

    int count() {
        return types.size();
    }

    static RawBtf read(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = b.getInt(4);
        int typeOff = hdrLen + b.getInt(8);
        int typeLen = b.getInt(12);
        int strOff = hdrLen + b.getInt(16);
        int strLen = b.getInt(20);
        Strings strings = new Strings(blob, strOff, strLen);
        List<Type> types = new ArrayList<>();
        int p = typeOff;
        int end = typeOff + typeLen;
        while (p < end) {
            String name = strings.at(b.getInt(p));
            int info = b.getInt(p + 4);
            int sizeOrType = b.getInt(p + 8);
            p += 12;
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            boolean kflag = (info >>> 31) != 0;
            int words = switch (kind) {
                case INT, VAR, DECL_TAG -> 1;
                case ARRAY -> 3;
                case STRUCT, UNION, DATASEC, ENUM64 -> 3 * vlen;
                case ENUM, FUNC_PROTO -> 2 * vlen;
                default -> 0;
            };
            int[] extra = new int[words];
            String[] names = new String[words];
            for (int i = 0; i < words; i++) {
                extra[i] = b.getInt(p + 4 * i);
            }
            int step = switch (kind) {
                case STRUCT, UNION, ENUM64 -> 3;
                case ENUM, FUNC_PROTO -> 2;
                default -> 0;
            };
            if (step > 0) {
                for (int i = 0; i < vlen; i++) {
                    names[i * step] = strings.at(extra[i * step]);
                }
            }
            p += 4 * words;
            types.add(new Type(name, kind, vlen, kflag, sizeOrType, extra, names));
        }
        return new RawBtf(types);
    }

    /** Writes types (ids 1..n in list order) as a little-endian BTF blob with a deduplicated string table. */
    static byte[] write(List<Type> types, io.bpfkit.elf.StringTable strs) {
        int typeBytes = 0;
        for (Type t : types) {
            typeBytes += 12 + 4 * t.extra.length;
        }
        int[] nameOffs = new int[types.size()];
        List<int[]> extras = new ArrayList<>(types.size());
        for (int i = 0; i < types.size(); i++) {
            Type t = types.get(i);
            nameOffs[i] = strs.add(t.name);
            int[] words = t.extra.clone();
            for (int w = 0; w < words.length; w++) {
                if (t.strings[w] != null) {
                    words[w] = strs.add(t.strings[w]);
                }
            }
            extras.add(words);
        }
        byte[] str = strs.bytes();
        ByteBuffer out = ByteBuffer.allocate(24 + typeBytes + str.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24)
                .putInt(0).putInt(typeBytes).putInt(typeBytes).putInt(str.length);
        for (int i = 0; i < types.size(); i++) {
            Type t = types.get(i);
            int info = (t.kindFlag ? 1 << 31 : 0) | (t.kind << 24) | (t.vlen & 0xffff);
            out.putInt(nameOffs[i]).putInt(info).putInt(t.sizeOrType);
            for (int w : extras.get(i)) {
                out.putInt(w);
            }
        }
        out.put(str);
        return out.array();
    }

    /** A blob's string section, decoded on demand. */
    static final class Strings {
        private final byte[] blob;
        private final int start;
        private final int length;

        Strings(byte[] blob, int start, int length) {
            this.blob = blob;
            this.start = start;
            this.length = length;
        }

        String at(int offset) {
            if (offset < 0 || offset >= length) {
                throw new IllegalArgumentException("string offset " + offset + " outside " + length + " bytes");
            }
            int s = start + offset;
            int e = s;
            while (e < start + length && blob[e] != 0) {
                e++;
            }
            return new String(blob, s, e - s, StandardCharsets.UTF_8);
        }
    }
}
