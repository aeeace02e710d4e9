package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.ObjectFormatException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Every kind through a hand-built blob: the records, the lookups, the chains, the dump. */
class BtfTest {

    enum Order {
        LITTLE(ByteOrder.LITTLE_ENDIAN), BIG(ByteOrder.BIG_ENDIAN);

        final ByteOrder order;

        Order(ByteOrder order) {
            this.order = order;
        }
    }

    /** One of each kind, and the ids they got. */
    private static final class AllKinds {
        final BtfBuilder b;
        final int tInt, tPtr, tArr, tStruct, tUnion, tEnum, tFwd, tTypedef, tVolatile, tConst, tRestrict;
        final int tProto, tFunc, tVar, tDatasec, tFloat, tDeclTag, tTypeTag, tEnum64, tChar, tBits;

        AllKinds(ByteOrder order) {
            b = new BtfBuilder(order);
            tInt = b.integer("int", 4, BtfType.Int.SIGNED, 0, 32);                          // 1
            tPtr = b.ptr(tInt);                                                             // 2
            tArr = b.array(tInt, tInt, 10);                                                 // 3
            tStruct = b.composite(Btf.K_STRUCT, "s", 48, false, "a", tInt, 0, "", tArr, 32, "p", tPtr, 320); // 4
            tUnion = b.composite(Btf.K_UNION, "", 4, true, "x", tInt, 3 << 24 | 5, "y", tInt, 0); // 5
            tEnum = b.enum32("e", 4, true, "NEG", -7, "POS", 9);                             // 6
            tFwd = b.fwd("later", true);                                                    // 7
            tTypedef = b.ref(Btf.K_TYPEDEF, "s_t", tStruct);                                // 8
            tVolatile = b.ref(Btf.K_VOLATILE, "", tTypedef);                                // 9
            tConst = b.ref(Btf.K_CONST, "", tVolatile);                                     // 10
            tRestrict = b.ref(Btf.K_RESTRICT, "", tPtr);                                    // 11
            tProto = b.funcProto(tInt, "ctx", tPtr, "", 0);                                 // 12
            tFunc = b.func("prog", tProto, 1);                                              // 13
            tVar = b.var("counter", tConst, 2);                                             // 14
            tDatasec = b.datasec(".data", 48, tVar, 0, 48);                                 // 15
            tFloat = b.floating("double", 8);                                               // 16
            tDeclTag = b.declTag("kfunc", tFunc, -1);                                       // 17
            tTypeTag = b.ref(Btf.K_TYPE_TAG, "user", tInt);                                 // 18
            tEnum64 = b.enum64("big", 8, false, "HUGE", -2L, "ONE", 1L);                    // 19
            tChar = b.integer("char", 1, BtfType.Int.CHAR, 0, 8);                           // 20
            tBits = b.composite(Btf.K_STRUCT, "bits", 4, true, "lo", tInt, 4 << 24, "hi", tInt, 12 << 24 | 4); // 21
        }
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void decodesEveryKind(Order o) {
        AllKinds k = new AllKinds(o.order);
        Btf btf = k.b.parse();
        assertSame(btf, btf.validate());
        assertEquals(o.order, btf.byteOrder());
        assertEquals(22, btf.typeCount());
        assertEquals(1, btf.firstId());

        assertEquals(new BtfType.Void(), btf.type(0));
        assertEquals(BtfKind.VOID, btf.kind(0));
        assertEquals(new BtfType.Int(1, "int", 4, BtfType.Int.SIGNED, 0, 32), btf.type(k.tInt));
        assertTrue(((BtfType.Int) btf.type(k.tInt)).isSigned());
        assertTrue(((BtfType.Int) btf.type(k.tChar)).isChar());
        assertEquals(new BtfType.Ptr(k.tPtr, "", k.tInt), btf.type(k.tPtr));
        assertEquals(new BtfType.Array(k.tArr, "", k.tInt, k.tInt, 10), btf.type(k.tArr));
        assertEquals(new BtfType.Struct(k.tStruct, "s", 48, List.of(
                new BtfType.Member("a", k.tInt, 0, 0),
                new BtfType.Member("", k.tArr, 32, 0),
                new BtfType.Member("p", k.tPtr, 320, 0))), btf.type(k.tStruct));
        assertEquals(new BtfType.Union(k.tUnion, "", 4, List.of(
                new BtfType.Member("x", k.tInt, 5, 3),
                new BtfType.Member("y", k.tInt, 0, 0))), btf.type(k.tUnion));
        assertEquals(new BtfType.Enum(k.tEnum, "e", 4, true, List.of(
                new BtfType.EnumValue("NEG", -7), new BtfType.EnumValue("POS", 9))), btf.type(k.tEnum));
        assertEquals(new BtfType.Fwd(k.tFwd, "later", true), btf.type(k.tFwd));
        assertEquals(new BtfType.Typedef(k.tTypedef, "s_t", k.tStruct), btf.type(k.tTypedef));
        assertEquals(new BtfType.Volatile(k.tVolatile, "", k.tTypedef), btf.type(k.tVolatile));
        assertEquals(new BtfType.Const(k.tConst, "", k.tVolatile), btf.type(k.tConst));
        assertEquals(new BtfType.Restrict(k.tRestrict, "", k.tPtr), btf.type(k.tRestrict));
        BtfType.FuncProto proto = (BtfType.FuncProto) btf.type(k.tProto);
        assertEquals(List.of(new BtfType.Param("ctx", k.tPtr), new BtfType.Param("", 0)), proto.params());
        assertTrue(proto.isVariadic());
        assertEquals(new BtfType.Func(k.tFunc, "prog", k.tProto, BtfType.Func.Linkage.GLOBAL), btf.type(k.tFunc));
        assertEquals(new BtfType.Var(k.tVar, "counter", k.tConst, BtfType.Var.Linkage.EXTERN), btf.type(k.tVar));
        assertEquals(new BtfType.Datasec(k.tDatasec, ".data", 48, List.of(new BtfType.DatasecEntry(k.tVar, 0, 48))),
                btf.type(k.tDatasec));
        assertEquals(new BtfType.Float(k.tFloat, "double", 8), btf.type(k.tFloat));
        assertEquals(new BtfType.DeclTag(k.tDeclTag, "kfunc", k.tFunc, -1), btf.type(k.tDeclTag));
        assertEquals(new BtfType.TypeTag(k.tTypeTag, "user", k.tInt), btf.type(k.tTypeTag));
        assertEquals(new BtfType.Enum64(k.tEnum64, "big", 8, false, List.of(
                new BtfType.EnumValue("HUGE", -2L), new BtfType.EnumValue("ONE", 1))), btf.type(k.tEnum64));
        assertEquals(List.of(new BtfType.Member("lo", k.tInt, 0, 4), new BtfType.Member("hi", k.tInt, 4, 12)),
                ((BtfType.Struct) btf.type(k.tBits)).members());

        for (int id = 1; id < btf.typeCount(); id++) {
            assertEquals(btf.type(id).kind(), btf.kind(id), "kind of " + id);
            assertEquals(btf.type(id).name(), btf.name(id), "name of " + id);
            assertEquals(id, btf.type(id).id());
        }
        assertSame(btf.type(k.tStruct), btf.type(k.tStruct), "decoded once");
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void dumpsEveryKindAsBpftoolDoes(Order o) {
        Btf btf = new AllKinds(o.order).b.parse();
        // Written by hand from bpftool v7.1's dump_btf_type().
        String expected = """
                [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
                [2] PTR '(anon)' type_id=1
                [3] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=10
                [4] STRUCT 's' size=48 vlen=3
                \t'a' type_id=1 bits_offset=0
                \t'(anon)' type_id=3 bits_offset=32
                \t'p' type_id=2 bits_offset=320
                [5] UNION '(anon)' size=4 vlen=2
                \t'x' type_id=1 bits_offset=5 bitfield_size=3
                \t'y' type_id=1 bits_offset=0
                [6] ENUM 'e' encoding=SIGNED size=4 vlen=2
                \t'NEG' val=-7
                \t'POS' val=9
                [7] FWD 'later' fwd_kind=union
                [8] TYPEDEF 's_t' type_id=4
                [9] VOLATILE '(anon)' type_id=8
                [10] CONST '(anon)' type_id=9
                [11] RESTRICT '(anon)' type_id=2
                [12] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
                \t'ctx' type_id=2
                \t'(anon)' type_id=0
                [13] FUNC 'prog' type_id=12 linkage=global
                [14] VAR 'counter' type_id=10, linkage=extern
                [15] DATASEC '.data' size=48 vlen=1
                \ttype_id=14 offset=0 size=48 (VAR 'counter')
                [16] FLOAT 'double' size=8
                [17] DECL_TAG 'kfunc' type_id=13 component_idx=-1
                [18] TYPE_TAG 'user' type_id=1
                [19] ENUM64 'big' encoding=UNSIGNED size=8 vlen=2
                \t'HUGE' val=18446744073709551614ULL
                \t'ONE' val=1ULL
                [20] INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=CHAR
                [21] STRUCT 'bits' size=4 vlen=2
                \t'lo' type_id=1 bits_offset=0 bitfield_size=4
                \t'hi' type_id=1 bits_offset=4 bitfield_size=12
                """;
        assertEquals(expected, BtfDump.dump(btf));
        assertEquals("[6] ENUM 'e' encoding=SIGNED size=4 vlen=2\n\t'NEG' val=-7\n\t'POS' val=9\n",
                BtfDump.dumpType(btf, 6));
        assertThrows(ObjectFormatException.class, () -> BtfDump.dumpType(btf, 0));
        assertThrows(ObjectFormatException.class, () -> BtfDump.dumpType(btf, 22));
    }

    @Test
    void dumpDetailsBpftoolPrintsOddly() throws Exception {
        BtfBuilder b = new BtfBuilder();
        int tInt = b.integer("u", 4, 0, 0, 32);
        b.integer("flags", 4, BtfType.Int.SIGNED | BtfType.Int.CHAR, 0, 32);       // bpftool knows no 3
        b.integer("b", 1, BtfType.Int.BOOL, 0, 1);
        b.integer("odd", 16, 8, 3, 120);                                           // encoding 8: "UNKN"
        b.enum32("", 4, false, "BIG", 0xFFFF_FFFF);                                  // unsigned: %u
        b.enum64("s", 8, true, "MIN", Long.MIN_VALUE);
        b.fwd("fs", false);
        b.func("st", 0, 0);
        b.func("ex", 0, 2);
        b.var("v", tInt, 0);
        b.datasec(".bss", 8, 0, 0, 4);                                             // entry of type 0
        b.declTag("t", tInt, 3);
        int empty = b.str("x") + 1;                                                 // the "" after "x": not offset 0
        b.raw(empty, BtfBuilder.info(Btf.K_TYPEDEF, 0, false), tInt);
        b.composite(Btf.K_STRUCT, "big", -1, false, "m", tInt, -8);                // u32 fields above 2^31
        String expected = """
                [1] INT 'u' size=4 bits_offset=0 nr_bits=32 encoding=(none)
                [2] INT 'flags' size=4 bits_offset=0 nr_bits=32 encoding=UNKN
                [3] INT 'b' size=1 bits_offset=0 nr_bits=1 encoding=BOOL
                [4] INT 'odd' size=16 bits_offset=3 nr_bits=120 encoding=UNKN
                [5] ENUM '(anon)' encoding=UNSIGNED size=4 vlen=1
                \t'BIG' val=4294967295
                [6] ENUM64 's' encoding=SIGNED size=8 vlen=1
                \t'MIN' val=-9223372036854775808LL
                [7] FWD 'fs' fwd_kind=struct
                [8] FUNC 'st' type_id=0 linkage=static
                [9] FUNC 'ex' type_id=0 linkage=extern
                [10] VAR 'v' type_id=1, linkage=static
                [11] DATASEC '.bss' size=8 vlen=1
                \ttype_id=0 offset=0 size=4 (UNKNOWN '(anon)')
                [12] DECL_TAG 't' type_id=1 component_idx=3
                [13] TYPEDEF '' type_id=1
                [14] STRUCT 'big' size=4294967295 vlen=1
                \t'm' type_id=1 bits_offset=4294967288
                """;
        Btf btf = b.parse();
        assertEquals(expected, BtfDump.dump(btf));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BtfDump.dump(btf, out);
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
        assertEquals(0xFFFF_FFFFL, ((BtfType.Enum) btf.type(5)).values().get(0).value());
        assertEquals(0xFFFF_FFFFL, ((BtfType.Struct) btf.type(14)).size());
        assertEquals("", btf.name(13));
    }

    @Test
    void dumpCopiesNameBytesRawAndFlushesLargeOutput() throws Exception {
        BtfBuilder b = new BtfBuilder();
        int t = b.integer("int", 4, 1, 0, 32);
        for (int i = 0; i < 5000; i++) {
            b.composite(Btf.K_STRUCT, "s" + i + "_ünïcödé", 4, false, "m" + i, t, 0);
        }
        Btf btf = b.parse();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BtfDump.dump(btf, out);
        assertTrue(out.size() > 100_000, "spans several flushes");
        assertEquals(new String(BtfDump.dumpBytes(btf), StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("[5001] STRUCT 's4999_ünïcödé' size=4 vlen=1\n\t'm4999'"));
    }

    @Test
    void findsByNameAndKind() {
        AllKinds k = new AllKinds(ByteOrder.LITTLE_ENDIAN);
        int sameNameFunc = k.b.func("s", k.tProto, 0);
        Btf btf = k.b.parse();
        assertEquals(OptionalInt.of(k.tStruct), btf.findId("s", BtfKind.STRUCT));
        assertEquals(OptionalInt.of(sameNameFunc), btf.findId("s", BtfKind.FUNC));
        assertEquals(OptionalInt.empty(), btf.findId("s", BtfKind.UNION));
        assertEquals(OptionalInt.empty(), btf.findId("nope", BtfKind.STRUCT));
        assertEquals(OptionalInt.empty(), btf.findId("", BtfKind.PTR), "anonymous types are not found by name");
        assertEquals(List.of(btf.type(k.tStruct), btf.type(sameNameFunc)), btf.findAll("s"));
        assertEquals(List.of(), btf.findAll(""));
        assertEquals(".data", btf.datasec(".data").orElseThrow().name());
        assertTrue(btf.datasec(".bss").isEmpty());
        assertEquals("double", btf.find("double", BtfKind.FLOAT).orElseThrow().name());
        assertEquals(OptionalInt.empty(), btf.findId("in", BtfKind.INT), "no prefix matches");
        assertEquals(OptionalInt.empty(), btf.findId("intx", BtfKind.INT));
    }

    @Test
    void findsAmongManySimilarNames() {
        BtfBuilder b = new BtfBuilder();
        int t = b.integer("int", 4, 1, 0, 32);
        for (int i = 0; i < 3000; i++) {
            b.ref(Btf.K_TYPEDEF, "name_" + i, t);
        }
        b.ref(Btf.K_TYPEDEF, "name_17", t); // a duplicate: the lower id wins
        Btf btf = b.parse();
        for (int i = 0; i < 3000; i += 7) {
            assertEquals(OptionalInt.of(i + 2), btf.findId("name_" + i, BtfKind.TYPEDEF));
        }
        assertEquals(2, btf.findAll("name_17").size());
        assertEquals(19, btf.findAll("name_17").get(0).id());
    }

    @Test
    void resolvesSizesAndSkipsModifiers() {
        AllKinds k = new AllKinds(ByteOrder.LITTLE_ENDIAN);
        int arr2 = k.b.array(k.tConst, k.tInt, 3);       // 3 x const volatile s_t
        int ptrToFwd = k.b.ptr(k.tFwd);
        Btf btf = k.b.parse();
        assertEquals(4, btf.resolveSize(k.tInt));
        assertEquals(8, btf.resolveSize(k.tPtr));
        assertEquals(40, btf.resolveSize(k.tArr));
        assertEquals(48, btf.resolveSize(k.tConst));
        assertEquals(144, btf.resolveSize(arr2));
        assertEquals(48, btf.resolveSize(k.tVar));
        assertEquals(48, btf.resolveSize(k.tDatasec));
        assertEquals(4, btf.resolveSize(k.tTypeTag));
        assertEquals(8, btf.resolveSize(k.tEnum64));
        assertEquals(-1, btf.resolveSize(k.tDeclTag), "a decl tag on a FUNC: no size");
        assertEquals(-1, btf.resolveSize(0));
        assertEquals(-1, btf.resolveSize(k.tFwd));
        assertEquals(-1, btf.resolveSize(k.tFunc));
        assertEquals(-1, btf.resolveSize(k.tProto));
        assertEquals(8, btf.resolveSize(ptrToFwd));

        assertEquals(k.tTypedef, btf.skipModifiers(k.tConst));
        assertEquals(k.tStruct, btf.skipModifiersAndTypedefs(k.tConst));
        assertEquals(k.tInt, btf.skipModifiers(k.tTypeTag));
        assertEquals(k.tPtr, btf.skipModifiers(k.tRestrict));
        assertEquals(k.tInt, btf.skipModifiers(k.tInt));
        assertEquals(8, btf.pointerSize(), "no 'long' in this BTF: eBPF's 8");
    }

    @Test
    void pointerSizeFollowsLong() {
        BtfBuilder b = new BtfBuilder();
        b.integer("long int", 4, 1, 0, 32);
        int p = b.ptr(0);
        Btf btf = b.parse();
        assertEquals(4, btf.pointerSize());
        assertEquals(4, btf.resolveSize(p));
    }

    @Test
    void cyclesAndHugeSizesAreFormatErrorsNotHangs() {
        BtfBuilder b = new BtfBuilder();
        int ptr = b.ptr(2);                                   // 1 -> 2
        b.ref(Btf.K_TYPEDEF, "loop", 3);                      // 2 -> 3
        b.ref(Btf.K_CONST, "", 2);                            // 3 -> 2: typedef/const cycle
        int selfArr = b.array(4, 4, 2);                       // 4: array of itself
        b.composite(Btf.K_STRUCT, "s", 8, false, "self", 6, 0); // 5: struct holding an array of itself
        b.array(5, 5, 1);                                     // 6
        int modLoop = b.ref(Btf.K_VOLATILE, "", 7);           // 7: volatile of itself
        int tInt = b.integer("int", 4, 1, 0, 32);             // 8
        int huge = b.array(tInt, tInt, 0x4000_0000);          // 9: 4 GiB
        int huger = b.array(huge, tInt, 0x7fff_ffff);         // 10: saturates
        int empty = b.array(huge, tInt, 0);                   // 11: 0 elements of something huge
        int zero = b.composite(Btf.K_STRUCT, "z", 0, false);  // 12
        int manyZeros = b.array(b.array(zero, tInt, -1), tInt, -1); // 14: 2^64 zero-sized things
        Btf btf = b.parse();

        assertEquals(8, btf.resolveSize(ptr), "a pointer's size does not follow the pointee");
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(2));
        assertThrows(ObjectFormatException.class, () -> btf.skipModifiersAndTypedefs(2));
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(selfArr));
        assertEquals(8, btf.resolveSize(5), "a struct's size is stored, not computed");
        assertEquals(8, btf.resolveSize(6), "so an array of it is finite, although the struct contains itself");
        assertThrows(ObjectFormatException.class, () -> btf.skipModifiers(modLoop));
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(modLoop));
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(huge));
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(huger));
        assertEquals(0, btf.resolveSize(empty));
        assertEquals(0, btf.resolveSize(manyZeros));
        // Decoding and dumping do not follow references, so cycles are harmless there.
        assertEquals(new BtfType.Array(selfArr, "", selfArr, selfArr, 2), btf.type(selfArr));
        assertTrue(BtfDump.dump(btf).contains("[4] ARRAY '(anon)' type_id=4 index_type_id=4 nr_elems=2\n"));
    }

    @Test
    void chainsUpToTheLimitResolve() {
        BtfBuilder b = new BtfBuilder();
        int cur = b.integer("int", 4, 1, 0, 32);
        for (int i = 0; i < Btf.MAX_CHAIN_DEPTH; i++) {
            cur = b.ref(Btf.K_TYPEDEF, "t" + i, cur);
        }
        int tooDeep = b.ref(Btf.K_CONST, "", cur);
        Btf btf = b.parse();
        assertEquals(4, btf.resolveSize(cur));
        assertEquals(1, btf.skipModifiersAndTypedefs(cur));
        assertThrows(ObjectFormatException.class, () -> btf.resolveSize(tooDeep));
    }

    @Test
    void idsOutsideTheBtfAreFormatErrors() {
        Btf btf = new AllKinds(ByteOrder.LITTLE_ENDIAN).b.parse();
        for (int id : new int[] {-1, 22, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertThrows(ObjectFormatException.class, () -> btf.type(id));
            assertThrows(ObjectFormatException.class, () -> btf.kind(id));
            assertThrows(ObjectFormatException.class, () -> btf.name(id));
            assertThrows(ObjectFormatException.class, () -> btf.resolveSize(id));
            assertThrows(ObjectFormatException.class, () -> btf.skipModifiers(id));
            assertFalse(btf.hasType(id));
        }
        assertEquals("s", btf.string(btf.nameOffset(4)));
        assertEquals("", btf.string(0));
        assertThrows(ObjectFormatException.class, () -> btf.string(btf.stringsEnd()));
        assertThrows(ObjectFormatException.class, () -> btf.string(-1));
    }

    @Test
    void splitBtfContinuesIdsAndStrings() {
        AllKinds k = new AllKinds(ByteOrder.LITTLE_ENDIAN);
        Btf base = k.b.parse();
        BtfBuilder s = BtfBuilder.splitOver(base);
        int modStruct = s.composite(Btf.K_STRUCT, "mod_state", 16, false, "s", k.tTypedef, 0, "next", 23, 64);
        int modPtr = s.ptr(modStruct);
        int reuse = s.raw(base.nameOffset(k.tStruct), BtfBuilder.info(Btf.K_TYPEDEF, 0, false), k.tInt);
        int var = s.var("mod_var", modStruct, 1);
        s.datasec(".data", 16, var, 0, 16, k.tVar, 16, 48);
        Btf split = s.parse(base);

        assertEquals(22, split.firstId());
        assertEquals(27, split.typeCount());
        assertSame(base, split.base().orElseThrow());
        assertEquals(base.type(k.tStruct), split.type(k.tStruct));
        assertEquals(new BtfType.Struct(modStruct, "mod_state", 16, List.of(
                new BtfType.Member("s", k.tTypedef, 0, 0), new BtfType.Member("next", modPtr, 64, 0))),
                split.type(modStruct));
        assertEquals("s", split.name(reuse), "a split type may use a base string");
        assertEquals(OptionalInt.of(k.tStruct), split.findId("s", BtfKind.STRUCT), "lookups see the base");
        assertEquals(OptionalInt.of(modStruct), split.findId("mod_state", BtfKind.STRUCT));
        assertEquals(OptionalInt.of(reuse), split.findId("s", BtfKind.TYPEDEF));
        assertEquals(2, split.findAll("s").size());
        assertEquals(".data", split.datasec(".data").orElseThrow().name());
        assertEquals(k.tDatasec, split.datasec(".data").orElseThrow().id(), "the base's comes first");
        assertEquals(16, split.resolveSize(modStruct));
        assertEquals(48, split.resolveSize(k.tConst));
        assertEquals("""
                [22] STRUCT 'mod_state' size=16 vlen=2
                \t's' type_id=8 bits_offset=0
                \t'next' type_id=23 bits_offset=64
                [23] PTR '(anon)' type_id=22
                [24] TYPEDEF 's' type_id=1
                [25] VAR 'mod_var' type_id=22, linkage=global
                [26] DATASEC '.data' size=16 vlen=2
                \ttype_id=25 offset=0 size=16 (VAR 'mod_var')
                \ttype_id=14 offset=16 size=48 (VAR 'counter')
                """, BtfDump.dump(split));
        assertEquals("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n", BtfDump.dumpType(split, 1));

        byte[] emptySplit = BtfBuilder.splitOver(base).build();
        assertEquals(22, Btf.parse(MemorySegment.ofArray(emptySplit), base).typeCount(), "an empty split part");
        BtfBuilder tooFar = BtfBuilder.splitOver(base);
        tooFar.ptr(23);
        assertThrows(ObjectFormatException.class, () -> tooFar.parse(base));
    }

    @Test
    void readsASliceOfALargerSegment() {
        byte[] blob = new AllKinds(ByteOrder.BIG_ENDIAN).b.build();
        byte[] padded = new byte[blob.length + 100];
        System.arraycopy(blob, 0, padded, 37, blob.length);
        Btf btf = Btf.parse(MemorySegment.ofArray(padded).asSlice(37, blob.length));
        assertEquals("s_t", btf.type(8).name());
        assertInstanceOf(BtfType.Composite.class, btf.type(4));
        assertEquals(BtfDump.dump(new AllKinds(ByteOrder.LITTLE_ENDIAN).b.parse()), BtfDump.dump(btf));
    }
}
