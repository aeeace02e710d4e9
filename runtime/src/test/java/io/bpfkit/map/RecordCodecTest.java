package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.codec.Size;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.map.Fixture.Inner;
import io.bpfkit.map.Fixture.Stats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Record codecs laid out as C structs, checked against the BTF clang wrote for the same structs
 * in maps_typed.bpf.o (no kernel needed).
 */
class RecordCodecTest {
    /** {@code struct mixed}: u8, u64, u16[3], struct inner, s8, float, double, _Bool. */
    record Mixed(byte a, long b, @Size(3) short[] c, Inner n, byte d, float f, double g, boolean h) {
    }

    record Swapped(long calls, short small, int flags, long nanos, @Size(3) byte[] tag, Inner inner,
                   @Size(3) int[] hist, @Size(8) String comm, boolean ok) {
    }

    record Missing(long calls, int flags, short small, long nanos, @Size(3) byte[] tag, Inner inner,
                   @Size(3) int[] hist, @Size(8) String comm, byte notOk) {
    }

    record WrongArray(long calls, int flags, short small, long nanos, @Size(3) byte[] tag, Inner inner,
                      @Size(2) int[] hist, int extra, @Size(8) String comm, boolean ok) {
    }

    record CamelCase(int firstSeen) {
    }

    record NoSize(int[] values) {
    }

    record StringNoSize(String s) {
    }

    record Loop(int x, Loop next) {
    }

    record Unsupported(Object o) {
    }

    private static final Btf BTF = Fixture.spec().btf().orElseThrow();

    private static BtfType.Struct struct(String name) {
        return (BtfType.Struct) BTF.find(name, BtfKind.STRUCT).orElseThrow();
    }

    /** Every BTF member is at the offset, and has the size, that the record layout gives it. */
    private static void assertSameLayout(MemoryLayout layout, BtfType.Struct st) {
        assertEquals(st.size(), layout.byteSize(), "size of struct " + st.name());
        for (BtfType.Member m : st.members()) {
            var path = MemoryLayout.PathElement.groupElement(m.name());
            assertEquals(m.bitOffset() / 8, layout.byteOffset(path), "offset of " + st.name() + "." + m.name());
            assertEquals(BTF.resolveSize(m.type()), layout.select(path).byteSize(), "size of " + m.name());
        }
    }

    @Test
    void layoutsMatchClangsBtf() {
        assertSameLayout(RecordCodec.of(Stats.class).layout(), struct("stats"));
        assertSameLayout(RecordCodec.of(Mixed.class).layout(), struct("mixed"));
        assertSameLayout(RecordCodec.of(Inner.class).layout(), struct("inner"));
        assertEquals(8, RecordCodec.of(Stats.class).layout().byteAlignment());
        // and the check handles run at creation agrees, nested struct and arrays included
        LayoutCheck.check("stats", RecordCodec.of(Stats.class), 64, BTF, struct("stats").id(), true);
        LayoutCheck.check("mixed", RecordCodec.of(Mixed.class), 56, BTF, struct("mixed").id(), true);
    }

    @Test
    void codecsAreBuiltOncePerType() {
        assertSame(RecordCodec.of(Stats.class), RecordCodec.of(Stats.class));
    }

    @Test
    void roundTripWithPaddingZeroed() {
        RecordCodec<Stats> c = RecordCodec.of(Stats.class);
        Stats s = Fixture.written(5, 123);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(c.size() + 8);
            seg.fill((byte) 0x55);
            c.encode(s, seg, 8);
            assertEquals(s, c.decode(seg, 8));
            assertEquals(0, seg.get(ValueLayout.JAVA_SHORT, 8 + 14), "padding after small");
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 8 + 27), "padding after tag");
            assertEquals(0L, seg.get(ValueLayout.JAVA_LONG, 8 + 56) & ~0xffL, "padding after ok");
            assertEquals(123, seg.get(ValueLayout.JAVA_LONG, 8), "calls at 0");
            assertEquals(5, seg.get(ValueLayout.JAVA_INT, 8 + 28), "inner.a at 28");
            assertEquals(20, seg.get(ValueLayout.JAVA_INT, 8 + 40), "hist[1] at 40");
        }
    }

    @Test
    void mismatchesNameBothSides() {
        var e = assertThrows(IllegalArgumentException.class, () -> LayoutCheck.check("map 'stats' value",
                RecordCodec.of(Swapped.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().contains("Java Swapped") && e.getMessage().contains("member 'small' (offset 8")
                && e.getMessage().contains("BTF struct stats member 'small' (offset 12"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayoutCheck.check("map 'stats' value",
                RecordCodec.of(Missing.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().contains("has no member 'notOk' or 'not_ok'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayoutCheck.check("map 'stats' value",
                RecordCodec.of(WrongArray.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().contains("'hist'") && e.getMessage().contains("12 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayoutCheck.check("map 'x' key", Codecs.int64(), 4,
                BTF, 0, true));
        assertTrue(e.getMessage().contains("map 'x' key is 4 bytes") && e.getMessage().contains("8 bytes"),
                e.getMessage());
    }

    @Test
    void camelCaseComponentsMatchSnakeCaseMembers() {
        assertEquals("first_seen", LayoutCheck.snake("firstSeen"));
        assertEquals("firstSeen", RecordCodec.of(CamelCase.class).layout().memberLayouts().get(0).name()
                .orElseThrow());
    }

    @Test
    void recordsWithoutACLayoutAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(NoSize.class));
        assertTrue(e.getMessage().contains("NoSize.values") && e.getMessage().contains("@Size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(StringNoSize.class));
        e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Loop.class));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Unsupported.class));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(64);
            e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Stats.class)
                    .encode(new Stats(1, 2, (short) 3, 4, new byte[3], null, new int[3], "x", true), seg, 0));
            assertTrue(e.getMessage().contains("'inner'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> RecordCodec.of(Stats.class)
                    .encode(new Stats(1, 2, (short) 3, 4, new byte[4], new Inner(1, (short) 2), new int[3], "x",
                            true), seg, 0));
            assertTrue(e.getMessage().contains("Stats.tag must have 3 elements"), e.getMessage());
        }
    }
}
