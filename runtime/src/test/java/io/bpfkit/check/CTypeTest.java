package io.bpfkit.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * C's natural layout ({@link CType#struct}): offsets at multiples of each member's alignment,
 * the size rounded up to the largest. That generated and run-time codecs derive the same
 * structs from the same records, and that clang agrees, is the processor's
 * {@code RecordLayoutTableTest}.
 */
class CTypeTest {
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
}
