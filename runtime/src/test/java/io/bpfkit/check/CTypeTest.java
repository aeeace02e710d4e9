package io.bpfkit.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.api.codec.Size;
import io.bpfkit.map.RecordCodec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * The C layout the processor computes for a record ({@link CType#struct}) is the one the
 * runtime's {@link RecordCodec} computes: the same C type (members, offsets, signedness), so the
 * same size and padding. Generated and runtime-built codecs therefore read the same bytes, and
 * are checked against BTF alike.
 */
class CTypeTest {
    public record Inner(short a, int b) {
    }

    public record Outer(byte tag, long big, Inner inner, @Size(5) String comm, @Size(3) short[] hist, boolean on,
                        double ratio) {
    }

    private static final CType.Struct INNER = CType.struct("Inner", null,
            CType.member("a", CType.integer(2, false)), CType.member("b", CType.integer(4, false)));
    private static final CType.Struct OUTER = CType.struct("Outer", null,
            CType.member("tag", CType.integer(1, false)),
            CType.member("big", CType.integer(8, false)),
            CType.member("inner", INNER),
            CType.member("comm", CType.chars(5)),
            CType.member("hist", CType.array(CType.integer(2, false), 3)),
            CType.member("on", CType.bool()),
            CType.member("ratio", CType.floating(8)));

    @Test
    void naturalAlignmentAndPadding() {
        assertEquals(8, INNER.size());
        assertEquals(4, INNER.members().get(1).offset());
        // tag 0, big 8, inner 16, comm 24, hist 30 (align 2), on 36, ratio 40, size 48
        assertEquals(java.util.List.of(0L, 8L, 16L, 24L, 30L, 36L, 40L),
                OUTER.members().stream().map(CType.Member::offset).toList());
        assertEquals(48, OUTER.size());
        assertEquals(8, OUTER.alignment());
        assertEquals("struct Outer", OUTER.spelling());
        assertEquals("__u16[3]", CType.array(CType.integer(2, true), 3).spelling());
    }

    @Test
    void sameLayoutAsTheRuntimeRecordCodec() {
        assertEquals(OUTER, RecordCodec.of(Outer.class).ctype());
        StructLayout runtime = RecordCodec.of(Outer.class).layout();
        MemoryLayout generated = OUTER.layout();
        assertEquals(runtime.byteSize(), generated.byteSize());
        assertEquals(runtime.byteAlignment(), generated.byteAlignment());
        for (CType.Member m : OUTER.members()) {
            assertEquals(runtime.byteOffset(MemoryLayout.PathElement.groupElement(m.name())), m.offset(), m.name());
            assertEquals(generated.byteOffset(MemoryLayout.PathElement.groupElement(m.name())), m.offset(), m.name());
        }
        assertEquals(runtime.memberLayouts().size(), ((StructLayout) generated).memberLayouts().size(),
                "the same padding members");
    }
}
