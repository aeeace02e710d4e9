package io.bpfkit.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.CodecException;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.annotation.CStruct;
import io.bpfkit.api.codec.Codec;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.codec.Size;
import io.bpfkit.api.codec.Unsigned;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.check.BindingCheck;
import io.bpfkit.check.CType;
import io.bpfkit.check.LayoutException;
import io.bpfkit.map.Fixture.Inner;
import io.bpfkit.map.Fixture.Stats;
import io.bpfkit.testing.Allocations;
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
    record Mixed(byte a, @Unsigned long b, @Size(3) @Unsigned short[] c, Inner n, byte d, float f, double g,
                 boolean h) {
    }

    record Swapped(@Unsigned long calls, @Unsigned short small, @Unsigned int flags, @Unsigned long nanos,
                   @Size(3) byte[] tag, Inner inner, @Size(3) @Unsigned int[] hist, @Size(8) String comm, boolean ok) {
    }

    record Missing(@Unsigned long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                   @Size(3) byte[] tag, Inner inner, @Size(3) @Unsigned int[] hist, @Size(8) String comm,
                   byte notOk) {
    }

    record WrongArray(@Unsigned long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                      @Size(3) byte[] tag, Inner inner, @Size(2) @Unsigned int[] hist, int extra, @Size(8) String comm,
                      boolean ok) {
    }

    /** {@code struct stats} with {@code calls} signed: the BTF has {@code __u64}. */
    record SignedCalls(long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                       @Size(3) byte[] tag, Inner inner, @Size(3) @Unsigned int[] hist, @Size(8) String comm,
                       boolean ok) {
    }

    /** {@code struct inner} with {@code b} unsigned-less, nested: the BTF has {@code __u16}. */
    record SignedInner(@Unsigned int a, short b) {
    }

    record NestedSigned(@Unsigned long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                        @Size(3) byte[] tag, SignedInner inner, @Size(3) @Unsigned int[] hist, @Size(8) String comm,
                        boolean ok) {
    }

    /** {@code hist} elements signed: the BTF has {@code __u32[3]}. */
    record SignedHist(@Unsigned long calls, @Unsigned int flags, @Unsigned short small, @Unsigned long nanos,
                      @Size(3) byte[] tag, Inner inner, @Size(3) int[] hist, @Size(8) String comm, boolean ok) {
    }

    record UnsignedFloat(@Unsigned float f) {
    }

    /** {@code struct inner} under another Java name: {@code @CStruct} says which. */
    @CStruct("inner")
    record Pair(@Unsigned int a, @Unsigned short b) {
    }

    /** The layout of {@code struct inner}, but named for a struct the object does not hold there. */
    @CStruct("small")
    record WrongName(@Unsigned int a, @Unsigned short b) {
    }

    /** Boxed components: refused when null, like arrays and strings. */
    record Boxed(Integer a, @Unsigned Short b) {
    }

    /** One of every member kind the codec handles. */
    record Everything(byte b, short s, int i, long l, float f, double d, boolean z, @Size(2) byte[] bs,
                      @Size(2) short[] ss, @Size(2) int[] is, @Size(2) long[] ls, @Size(2) float[] fs,
                      @Size(2) double[] ds, @Size(3) boolean[] zs, @Size(2) Inner[] inners, Inner inner,
                      @Size(6) String name) {
    }

    record Primitives(long a, int b, short c, byte d, double e, float f, boolean g) {
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
        LayoutCheck.check("stats", "value", RecordCodec.of(Stats.class), 64, BTF, struct("stats").id(), true);
        LayoutCheck.check("mixed", "value", RecordCodec.of(Mixed.class), 56, BTF, struct("mixed").id(), true);
    }

    @Test
    void everyMemberKindRoundTrips() {
        RecordCodec<Everything> c = RecordCodec.of(Everything.class);
        Everything v = new Everything((byte) -1, (short) -2, -3, Long.MIN_VALUE, 1.5f, -2.25, true,
                new byte[] {1, -1}, new short[] {300, -300}, new int[] {70000, -70000}, new long[] {1L << 40, -5},
                new float[] {0.5f, -0.5f}, new double[] {1e300, -1e-300}, new boolean[] {true, false, true},
                new Inner[] {new Inner(1, (short) 2), new Inner(-3, (short) -4)}, new Inner(5, (short) 6), "hello");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(c.size() + 3);
            seg.fill((byte) 0x5a);
            c.encode(v, seg, 3); // unaligned on purpose: members of per-CPU and packed data may be
            Everything back = c.decode(seg, 3);
            assertEquals(v.b(), back.b());
            assertEquals(v.s(), back.s());
            assertEquals(v.i(), back.i());
            assertEquals(v.l(), back.l());
            assertEquals(v.f(), back.f());
            assertEquals(v.d(), back.d());
            assertEquals(v.z(), back.z());
            assertArrayEquals(v.bs(), back.bs());
            assertArrayEquals(v.ss(), back.ss());
            assertArrayEquals(v.is(), back.is());
            assertArrayEquals(v.ls(), back.ls());
            assertArrayEquals(v.fs(), back.fs());
            assertArrayEquals(v.ds(), back.ds());
            assertArrayEquals(v.zs(), back.zs());
            assertArrayEquals(v.inners(), back.inners());
            assertEquals(v.inner(), back.inner());
            assertEquals("hello", back.name());
            // where C puts them: the layout's offsets, read back without the codec
            long at = 3 + c.layout().byteOffset(MemoryLayout.PathElement.groupElement("inners"));
            assertEquals(-3, seg.get(ValueLayout.JAVA_INT_UNALIGNED, at + 8), "inners[1].a");
            assertEquals(1, seg.get(ValueLayout.JAVA_BYTE, 3 + c.layout().byteOffset(
                    MemoryLayout.PathElement.groupElement("zs"))), "zs[0] is a 1");
            // padding, inside nested records too, is zeroed: the struct's bytes are its value
            MemorySegment again = a.allocate(c.size());
            again.fill((byte) 0x33);
            c.encode(back, again, 0);
            assertEquals(-1, again.mismatch(seg.asSlice(3, c.size())), "same bytes from the decoded value");
            assertEquals(0, again.get(ValueLayout.JAVA_SHORT_UNALIGNED, at - 3 + 6), "padding of inners[0]");
            var e = assertThrows(CodecException.class, () -> c.encode(new Everything((byte) 0, (short) 0,
                    0, 0, 0, 0, false, new byte[2], new short[2], new int[2], new long[2], new float[2], new double[2],
                    new boolean[2], new Inner[2], new Inner(0, (short) 0), ""), seg, 0));
            assertEquals("Everything.zs must have 3 elements (@Size), not 2", e.getMessage());
            e = assertThrows(CodecException.class, () -> c.encode(new Everything((byte) 0, (short) 0,
                    0, 0, 0, 0, false, new byte[2], new short[2], new int[2], new long[2], new float[2], new double[2],
                    new boolean[3], new Inner[2], new Inner(0, (short) 0), ""), seg, 0));
            assertEquals("Everything.inners[0] is null: a C struct member has a value", e.getMessage());
            var nullValue = assertThrows(IllegalArgumentException.class, () -> c.encode(null, seg, 0));
            assertEquals("Everything is null: a C value cannot be", nullValue.getMessage());
        }
        assertEquals(CType.struct("Everything", null,
                CType.member("b", CType.integer(1, false)), CType.member("s", CType.integer(2, false)),
                CType.member("i", CType.integer(4, false)), CType.member("l", CType.integer(8, false)),
                CType.member("f", CType.floating(4)), CType.member("d", CType.floating(8)),
                CType.member("z", CType.bool()), CType.member("bs", CType.array(CType.integer(1, false), 2)),
                CType.member("ss", CType.array(CType.integer(2, false), 2)),
                CType.member("is", CType.array(CType.integer(4, false), 2)),
                CType.member("ls", CType.array(CType.integer(8, false), 2)),
                CType.member("fs", CType.array(CType.floating(4), 2)),
                CType.member("ds", CType.array(CType.floating(8), 2)),
                CType.member("zs", CType.array(CType.bool(), 3)),
                CType.member("inners", CType.array(RecordCodec.of(Inner.class).ctype(), 2)),
                CType.member("inner", RecordCodec.of(Inner.class).ctype()),
                CType.member("name", CType.chars(6))), c.ctype(), "the C type bindings would compute");
    }

    /**
     * The codec is method handles over the accessors and the canonical constructor: decoding a
     * record of primitives allocates the record and nothing else (no argument array, no boxes),
     * encoding allocates nothing. A bound on bytes, not a timing.
     */
    @Test
    void primitiveMembersAreNotBoxed() {
        RecordCodec<Primitives> c = RecordCodec.of(Primitives.class);
        Primitives v = new Primitives(1, 2, (short) 3, (byte) 4, 5, 6, true);
        Primitives[] sink = new Primitives[1];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(c.size());
            c.encode(v, seg, 0);
            double record = Allocations.bytesPerCall(20_000, 5,
                    i -> sink[0] = new Primitives(i, i, (short) i, (byte) i, i, i, (i & 1) == 0));
            double decode = Allocations.bytesPerCall(20_000, 5, i -> sink[0] = c.decode(seg, 0));
            double encode = Allocations.bytesPerCall(20_000, 5, i -> c.encode(v, seg, 0));
            System.out.printf("RecordCodec: decode %.1f bytes/op (the record alone: %.1f), encode %.1f%n", decode,
                    record, encode);
            assertEquals(v, sink[0]);
            assertTrue(decode <= Math.max(record, 40) + 2, "decode allocates " + decode + " bytes, the record "
                    + record);
            assertTrue(encode <= 2, "encode allocates " + encode + " bytes");
        }
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
        var e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(Swapped.class), 64, BTF, struct("stats").id(), true));
        assertEquals("map 'stats': value does not match the object's struct stats: member 1 of record Swapped is "
                + "'small', struct stats has 'flags' there", e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(Missing.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().contains("member 8 of record Missing is 'notOk', struct stats has 'ok' there"),
                e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(WrongArray.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().contains("record WrongArray.hist has 2 elements (@Size), the object's __u32[3] has 3"),
                e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "key", Codecs.int64(), 4,
                BTF, 0, true));
        assertTrue(e.getMessage().contains("map 'x': key is 4 bytes") && e.getMessage().contains("8 bytes"),
                e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "value", Codecs.int64(), 56,
                BTF, struct("mixed").id(), true));
        assertEquals("map 'x': value is 56 bytes (BTF type struct mixed), but the codec Codecs.int64() is 8 bytes",
                e.getMessage());
    }

    /** A record member's signedness against the BTF int's encoding, as bindings check it. */
    @Test
    void recordSignednessIsCheckedAgainstBtf() {
        var e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(SignedCalls.class), 64, BTF, struct("stats").id(), true));
        assertEquals("map 'stats': value does not match the object's struct stats: record SignedCalls.calls is __s64 "
                + "(signed: add @Unsigned), the object has __u64 (BTF int encoding: unsigned)", e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(NestedSigned.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().endsWith("record NestedSigned.inner.b is __s16 (signed: add @Unsigned), the "
                + "object has __u16 (BTF int encoding: unsigned)"), e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'stats'", "value",
                RecordCodec.of(SignedHist.class), 64, BTF, struct("stats").id(), true));
        assertTrue(e.getMessage().endsWith("record SignedHist.hist[] is __s32 (signed: add @Unsigned), the object "
                + "has __u32 (BTF int encoding: unsigned)"), e.getMessage());
        // struct mixed has __s8 d and a __u8 a: bytes have no signedness rule (char and __u8 alike)
        LayoutCheck.check("bss_mixed", "value", RecordCodec.of(Mixed.class), 56, BTF, struct("mixed").id(), true);
        var layout = assertThrows(LayoutException.class, () -> RecordCodec.of(UnsignedFloat.class));
        assertEquals("UnsignedFloat.f: @Unsigned is for integers, not float", layout.getMessage());
    }

    /** Built-in codecs: uintN() promise the unsigned range; intN() carry the bits of either signedness. */
    @Test
    void primitiveCodecSignednessIsCheckedAgainstBtf() {
        int s32 = BTF.find("int", BtfKind.INT).orElseThrow().id();
        int u32 = BTF.find("unsigned int", BtfKind.INT).orElseThrow().id();
        var e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "key", Codecs.uint32(),
                4, BTF, s32, true));
        assertEquals("map 'x': key does not match the object's int: Codecs.uint32() is __u32 (unsigned), the object "
                + "has int (BTF int encoding: signed)", e.getMessage());
        LayoutCheck.check("map 'x'", "key", Codecs.uint32(), 4, BTF, u32, true);
        LayoutCheck.check("map 'x'", "key", Codecs.int32(), 4, BTF, u32, true);
        LayoutCheck.check("map 'x'", "key", Codecs.int32(), 4, BTF, s32, true);
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "key", Codecs.float32(),
                4, BTF, s32, true));
        assertTrue(e.getMessage().endsWith("Codecs.float32() is float, the object has int"), e.getMessage());
        e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "value", Codecs.int32(),
                4, BTF, struct("small").id(), true));
        assertTrue(e.getMessage().endsWith("Codecs.int32() is an integer (Java __s32/__u32), the object has struct "
                + "small"), e.getMessage());
        // LPM keys: the key struct is the program's own, sizes only
        LayoutCheck.check("map 'x'", "key", Codecs.uint32(), 4, BTF, s32, false);
    }

    /** A hand-written codec: its layout's named members are compared, integers of either signedness. */
    @Test
    void handWrittenCodecsAreComparedByLayout() {
        Codec<long[]> pair = new Codec<>() {
            private final MemoryLayout layout = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("a"),
                    ValueLayout.JAVA_SHORT.withName("b"), MemoryLayout.paddingLayout(2)).withName("pair");

            public MemoryLayout layout() {
                return layout;
            }

            public void encode(long[] v, MemorySegment s, long o) {
                s.set(ValueLayout.JAVA_INT, o, (int) v[0]);
                s.set(ValueLayout.JAVA_SHORT, o + 4, (short) v[1]);
            }

            public long[] decode(MemorySegment s, long o) {
                return new long[] {s.get(ValueLayout.JAVA_INT, o), s.get(ValueLayout.JAVA_SHORT, o + 4)};
            }

            @Override
            public String toString() {
                return "pair codec";
            }
        };
        LayoutCheck.check("map 'x'", "value", pair, 8, BTF, struct("inner").id(), true);
        var e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "value", pair, 8, BTF,
                struct("small").id(), true));
        assertTrue(e.getMessage().endsWith("pair codec is 8 bytes (Java struct pair), struct small is 4 bytes"),
                e.getMessage());
    }

    /** {@code @CStruct} is read from the class at run time: the name is part of the C type and checked. */
    @Test
    void cStructNamesAreCheckedAtRunTime() {
        assertEquals("inner", RecordCodec.of(Pair.class).ctype().cName());
        assertEquals("struct inner", RecordCodec.of(Pair.class).ctype().spelling());
        LayoutCheck.check("map 'x'", "value", RecordCodec.of(Pair.class), 8, BTF, struct("inner").id(), true);
        var e = assertThrows(LoadException.class, () -> LayoutCheck.check("map 'x'", "value",
                RecordCodec.of(WrongName.class), 8, BTF, struct("inner").id(), true));
        assertEquals("map 'x': value does not match the object's struct inner: record WrongName: "
                + "@CStruct(\"small\") but the object has struct inner", e.getMessage());
    }

    @Test
    void boxedComponentsRoundTripAndRefuseNull() {
        RecordCodec<Boxed> c = RecordCodec.of(Boxed.class);
        assertEquals(CType.struct("Boxed", null, CType.member("a", CType.integer(4, false)),
                CType.member("b", CType.integer(2, true))), c.ctype());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(c.size());
            c.encode(new Boxed(-7, (short) -1), seg, 0);
            assertEquals(new Boxed(-7, (short) -1), c.decode(seg, 0));
            var e = assertThrows(CodecException.class, () -> c.encode(new Boxed(null, (short) 1), seg, 0));
            assertEquals("Boxed.a is null: a C struct member has a value", e.getMessage());
        }
    }

    @Test
    void camelCaseComponentsMatchSnakeCaseMembers() {
        assertEquals("first_seen", BindingCheck.snake("firstSeen"));
        assertEquals("firstSeen", RecordCodec.of(CamelCase.class).layout().memberLayouts().get(0).name()
                .orElseThrow());
    }

    @Test
    void recordsWithoutACLayoutAreRefused() {
        CodecException e = assertThrows(LayoutException.class, () -> RecordCodec.of(NoSize.class));
        assertTrue(e.getMessage().contains("NoSize.values") && e.getMessage().contains("@Size"), e.getMessage());
        assertThrows(LayoutException.class, () -> RecordCodec.of(StringNoSize.class));
        e = assertThrows(LayoutException.class, () -> RecordCodec.of(Loop.class));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());
        e = assertThrows(LayoutException.class, () -> RecordCodec.of(Unsupported.class));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(64);
            e = assertThrows(CodecException.class, () -> RecordCodec.of(Stats.class)
                    .encode(new Stats(1, 2, (short) 3, 4, new byte[3], null, new int[3], "x", true), seg, 0));
            assertEquals("Stats.inner is null: a C struct member has a value", e.getMessage());
            e = assertThrows(CodecException.class, () -> RecordCodec.of(Stats.class)
                    .encode(new Stats(1, 2, (short) 3, 4, new byte[4], new Inner(1, (short) 2), new int[3], "x",
                            true), seg, 0));
            assertTrue(e.getMessage().contains("Stats.tag must have 3 elements"), e.getMessage());
        }
    }
}
