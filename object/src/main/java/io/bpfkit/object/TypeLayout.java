package io.bpfkit.object;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfType;

/** C layout facts derived from BTF that the opener needs: alignment, as libbpf's btf__align_of. */
final class TypeLayout {
    private static final int MAX_DEPTH = 32;

    private TypeLayout() {
    }

    /** The alignment of a type in bytes; 1 for packed structs; -1 for types without one. */
    static long alignOf(Btf btf, int id) {
        return alignOf(btf, id, 0);
    }

    private static long alignOf(Btf btf, int id, int depth) {
        if (depth > MAX_DEPTH) {
            return -1;
        }
        long ptr = btf.pointerSize();
        return switch (btf.type(id)) {
            case BtfType.Int t -> Math.min(ptr, t.size());
            case BtfType.Enumeration t -> Math.min(ptr, t.size());
            case BtfType.Float t -> Math.min(ptr, t.size());
            case BtfType.Ptr t -> ptr;
            case BtfType.Typedef t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.Volatile t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.Const t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.Restrict t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.TypeTag t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.Array t -> alignOf(btf, t.type(), depth + 1);
            case BtfType.Composite c -> {
                long max = 1;
                for (BtfType.Member m : c.members()) {
                    long a = alignOf(btf, m.type(), depth + 1);
                    if (a <= 0) {
                        yield a;
                    }
                    max = Math.max(max, a);
                    if (m.bitfieldSize() == 0 && m.bitOffset() % (8 * a) != 0) {
                        yield 1; // a misaligned member: the struct is packed
                    }
                }
                yield c.size() % max != 0 ? 1 : max;
            }
            default -> -1;
        };
    }
}
