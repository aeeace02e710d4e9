package io.bpfkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.LoadException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfBuilder;
import io.bpfkit.btf.BtfExt;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.CoreReloKind;
import io.bpfkit.object.Instructions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CO-RE resolution for every relocation kind, with hand-built pairs of local (program) and
 * target (kernel) BTF: moved, renamed and missing members, flavors, anonymous members, arrays,
 * bitfields, size changes, enum changes, type matching, ambiguity, module candidates, and the
 * instruction patching and poisoning.
 */
class CoreRelocatorTest {
    private static final int STRUCT = BtfKind.STRUCT.code();
    private static final int UNION = BtfKind.UNION.code();
    private static final int SIGNED = 1;

    /** Local and target builders with the basic integer types at the same ids. */
    private static final class Pair {
        final BtfBuilder local = new BtfBuilder();
        final BtfBuilder target = new BtfBuilder();
        final int lInt = local.integer("int", 4, SIGNED, 0, 32);
        final int lUint = local.integer("unsigned int", 4, 0, 0, 32);
        final int lLong = local.integer("long", 8, SIGNED, 0, 64);
        final int lChar = local.integer("char", 1, SIGNED, 0, 8);
        final int tInt = target.integer("int", 4, SIGNED, 0, 32);
        final int tUint = target.integer("unsigned int", 4, 0, 0, 32);
        final int tLong = target.integer("long", 8, SIGNED, 0, 64);
        final int tUlong = target.integer("unsigned long", 8, 0, 0, 64);
        final int tChar = target.integer("char", 1, SIGNED, 0, 8);

        CoreRelocator relocator() {
            return new CoreRelocator(local.parse(), CoreTarget.of(target.parse()));
        }
    }

    private static BtfExt.CoreRelocation relo(int type, String access, CoreReloKind kind) {
        return new BtfExt.CoreRelocation(0, type, access, kind);
    }

    private static CoreResult resolve(Pair p, int type, String access, CoreReloKind kind) {
        return p.relocator().resolve(relo(type, access, kind));
    }

    // ------------------------------------------------------------------ fields

    @Test
    void aMovedMemberGetsItsTargetOffsetAndSize() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "task", 8, false, "pid", p.lInt, 0, "tgid", p.lInt, 32);
        p.target.composite(STRUCT, "task", 24, false, "state", p.tLong, 0, "tgid", p.tInt, 64, "pid", p.tInt, 96);
        CoreResult off = resolve(p, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET);
        assertEquals(4, off.originalValue());
        assertEquals(8, off.newValue());
        assertFalse(off.poison());
        assertEquals(12, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(4, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_SIZE).newValue());
        assertEquals(1, resolve(p, ls, "0:0", CoreReloKind.FIELD_EXISTS).newValue());
        assertEquals(1, resolve(p, ls, "0:0", CoreReloKind.FIELD_SIGNED).newValue());
        // "1:1": the second element of an array of structs, then tgid: 24 + 8 in the target.
        assertEquals(32, resolve(p, ls, "1:1", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
    }

    @Test
    void aRenamedOrMissingMemberPoisonsAndDoesNotExist() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "task", 8, false, "state", p.lLong, 0);
        p.target.composite(STRUCT, "task", 8, false, "__state", p.tUint, 0);
        CoreResult off = resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET);
        assertTrue(off.poison());
        assertNull(off.target());
        CoreResult exists = resolve(p, ls, "0:0", CoreReloKind.FIELD_EXISTS);
        assertFalse(exists.poison());
        assertEquals(1, exists.originalValue());
        assertEquals(0, exists.newValue());
    }

    @Test
    void aMissingTypeGivesZeroForExistsAndPoisonForOffsets() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "nowhere", 4, false, "x", p.lInt, 0);
        p.target.composite(STRUCT, "somewhere", 4, false, "x", p.tInt, 0);
        assertTrue(resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).poison());
        assertEquals(0, resolve(p, ls, "0:0", CoreReloKind.FIELD_EXISTS).newValue());
        assertEquals(0, resolve(p, ls, "0", CoreReloKind.TYPE_EXISTS).newValue());
        assertEquals(0, resolve(p, ls, "0", CoreReloKind.TYPE_SIZE).newValue());
        assertFalse(resolve(p, ls, "0", CoreReloKind.TYPE_SIZE).poison());
        assertEquals(0, resolve(p, ls, "0", CoreReloKind.TYPE_ID_TARGET).newValue());
    }

    @Test
    void flavorsAreIgnoredWhenMatchingNames() {
        Pair p = new Pair();
        int v0 = p.local.composite(STRUCT, "task___v0", 8, false, "state", p.lLong, 0);
        int v1 = p.local.composite(STRUCT, "task___v1", 4, false, "__state", p.lUint, 0);
        int tTask = p.target.composite(STRUCT, "task", 16, false, "flags", p.tLong, 0, "__state", p.tUint, 64);
        CoreRelocator r = p.relocator();
        assertEquals(0, r.resolve(relo(v0, "0:0", CoreReloKind.FIELD_EXISTS)).newValue());
        CoreResult state = r.resolve(relo(v1, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertEquals(8, state.newValue());
        assertEquals(tTask, state.target().id());
        assertEquals("task", CoreNames.essential("task___v1"));
        assertEquals("a___", CoreNames.essential("a___"));
        assertEquals("x___y", CoreNames.essential("x___y___z"));
        assertEquals("__u32", CoreNames.essential("__u32"));
    }

    @Test
    void flavoredTargetTypesAreCandidatesToo() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "thing", 4, false, "x", p.lInt, 0);
        int t = p.target.composite(STRUCT, "thing___old", 8, false, "y", p.tInt, 0, "x", p.tInt, 32);
        CoreResult off = resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET);
        assertEquals(4, off.newValue());
        assertEquals(t, off.target().id());
    }

    @Test
    void membersAreFoundThroughAnonymousStructsAndUnions() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "sk", 8, false, "family", p.lInt, 0, "port", p.lInt, 32);
        int anonStruct = p.target.composite(STRUCT, "", 8, false, "port", p.tInt, 0, "family", p.tInt, 32);
        int anonUnion = p.target.composite(UNION, "", 8, false, "addr", p.tLong, 0, "", anonStruct, 0);
        p.target.composite(STRUCT, "sk", 24, false, "hash", p.tLong, 0, "", anonUnion, 128);
        assertEquals(20, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(16, resolve(p, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
    }

    @Test
    void anonymousLocalMembersAreWalkedByIndex() {
        Pair p = new Pair();
        int inner = p.local.composite(STRUCT, "", 8, false, "a", p.lInt, 0, "b", p.lInt, 32);
        int ls = p.local.composite(STRUCT, "outer", 12, false, "x", p.lInt, 0, "", inner, 32);
        p.target.composite(STRUCT, "outer", 16, false, "b", p.tInt, 0, "x", p.tInt, 32, "a", p.tInt, 96);
        // local "0:1:1" = outer.<anon>.b at 8; the target has b at 0.
        CoreResult r = resolve(p, ls, "0:1:1", CoreReloKind.FIELD_BYTE_OFFSET);
        assertEquals(8, r.originalValue());
        assertEquals(0, r.newValue());
    }

    @Test
    void arrayElementsFollowTheTargetArray() {
        Pair p = new Pair();
        int lIdx = p.lInt;
        int lArr = p.local.array(p.lChar, lIdx, 16);
        int ls = p.local.composite(STRUCT, "task", 20, false, "pid", p.lInt, 0, "comm", lArr, 32);
        int tArr = p.target.array(p.tChar, p.tInt, 16);
        p.target.composite(STRUCT, "task", 40, false, "big", p.tLong, 0, "comm", tArr, 128, "pid", p.tInt, 256);
        assertEquals(16 + 3, resolve(p, ls, "0:1:3", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(1, resolve(p, ls, "0:1:3", CoreReloKind.FIELD_BYTE_SIZE).newValue());
        assertEquals(16, resolve(p, ls, "0:1", CoreReloKind.FIELD_BYTE_SIZE).newValue());
        LoadException e = assertThrows(LoadException.class, () -> resolve(p, ls, "0:1:3", CoreReloKind.FIELD_SIGNED));
        assertTrue(e.getMessage().contains("array element"), e.getMessage());
        // Past the end of the local array: a malformed record.
        assertThrows(LoadException.class, () -> resolve(p, ls, "0:1:16", CoreReloKind.FIELD_BYTE_OFFSET));
    }

    @Test
    void aShorterTargetArrayDoesNotMatch() {
        Pair p = new Pair();
        int lArr = p.local.array(p.lInt, p.lInt, 8);
        int ls = p.local.composite(STRUCT, "s", 32, false, "v", lArr, 0);
        int tArr = p.target.array(p.tInt, p.tInt, 4);
        p.target.composite(STRUCT, "s", 16, false, "v", tArr, 0);
        assertTrue(resolve(p, ls, "0:0:6", CoreReloKind.FIELD_BYTE_OFFSET).poison());
        assertEquals(8, resolve(p, ls, "0:0:2", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
    }

    @Test
    void bitfieldsGiveLibbpfsOffsetsShiftsAndSigns() {
        Pair p = new Pair();
        // local: unsigned flag:1 at bit 0, int level:4 at bit 1
        int ls = p.local.composite(STRUCT, "bits", 4, true, "flag", p.lUint, 1 << 24, "level", p.lInt, 4 << 24 | 1);
        // target: 8 bytes first, then flag:1 at bit 67, level:4 at bit 93 (crosses no 4-byte boundary)
        p.target.composite(STRUCT, "bits", 16, true, "x", p.tLong, 0, "flag", p.tUint, 1 << 24 | 67,
                "level", p.tInt, 4 << 24 | 93);
        assertEquals(8, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(4, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_SIZE).newValue());
        // flag: bit 67 = bit 3 of the u32 at 8: lshift 64 - (3 + 1) = 60, rshift 63
        assertEquals(60, resolve(p, ls, "0:0", CoreReloKind.FIELD_LSHIFT_U64).newValue());
        assertEquals(63, resolve(p, ls, "0:0", CoreReloKind.FIELD_RSHIFT_U64).newValue());
        assertEquals(0, resolve(p, ls, "0:0", CoreReloKind.FIELD_SIGNED).newValue());
        // level: bits 93..96 of the u32 at 8 (29..32): fits; lshift 64 - 33 = 31, rshift 60, signed
        assertEquals(8, resolve(p, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(31, resolve(p, ls, "0:1", CoreReloKind.FIELD_LSHIFT_U64).newValue());
        assertEquals(60, resolve(p, ls, "0:1", CoreReloKind.FIELD_RSHIFT_U64).newValue());
        assertEquals(1, resolve(p, ls, "0:1", CoreReloKind.FIELD_SIGNED).newValue());
        // bitfield offsets are not validated against the instruction (clang may disagree)
        assertFalse(resolve(p, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET).validate());
    }

    @Test
    void aBitfieldStraddlingItsUnitIsReadWithAWiderLoad() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "wide", 4, true, "v", p.lUint, 6 << 24);
        // target: v:6 at bit 29 of an unsigned int: 29..35 crosses the 4-byte unit, so 8 bytes at 0
        p.target.composite(STRUCT, "wide", 8, true, "v", p.tUint, 6 << 24 | 29);
        assertEquals(0, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
        assertEquals(8, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_SIZE).newValue());
        assertEquals(64 - 35, resolve(p, ls, "0:0", CoreReloKind.FIELD_LSHIFT_U64).newValue());
        assertEquals(58, resolve(p, ls, "0:0", CoreReloKind.FIELD_RSHIFT_U64).newValue());
    }

    @Test
    void incompatibleFieldTypesDoNotMatch() {
        Pair p = new Pair();
        int lp = p.local.ptr(p.lInt);
        int ls = p.local.composite(STRUCT, "s", 8, false, "p", lp, 0);
        p.target.composite(STRUCT, "s", 8, false, "p", p.tLong, 0);
        assertTrue(resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).poison());
        assertEquals(0, resolve(p, ls, "0:0", CoreReloKind.FIELD_EXISTS).newValue());
    }

    // ------------------------------------------------------------------ types

    @Test
    void typeRelocationsUseTheTargetType() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "task", 8, false, "pid", p.lInt, 0, "tgid", p.lInt, 32);
        int lPid = p.local.composite(STRUCT, "task___pid", 4, false, "pid", p.lInt, 0);
        int lBad = p.local.composite(STRUCT, "task___bad", 8, false, "pid", p.lLong, 0);
        p.target.composite(STRUCT, "other", 4, false, "x", p.tInt, 0);
        int t = p.target.composite(STRUCT, "task", 64, false, "state", p.tLong, 0, "pid", p.tInt, 64, "tgid", p.tInt, 96);
        assertEquals(1, resolve(p, ls, "0", CoreReloKind.TYPE_EXISTS).newValue());
        assertEquals(64, resolve(p, ls, "0", CoreReloKind.TYPE_SIZE).newValue());
        assertEquals(8, resolve(p, ls, "0", CoreReloKind.TYPE_SIZE).originalValue());
        CoreResult id = resolve(p, ls, "0", CoreReloKind.TYPE_ID_TARGET);
        assertEquals(t, id.newValue());
        assertFalse(id.validate());
        CoreResult localId = resolve(p, ls, "0", CoreReloKind.TYPE_ID_LOCAL);
        assertEquals(ls, localId.newValue());
        assertEquals(1, resolve(p, lPid, "0", CoreReloKind.TYPE_MATCHES).newValue());
        assertEquals(0, resolve(p, lBad, "0", CoreReloKind.TYPE_MATCHES).newValue());
        // TYPE_EXISTS only needs a compatible kind: a struct exists whatever its members.
        assertEquals(1, resolve(p, lBad, "0", CoreReloKind.TYPE_EXISTS).newValue());
        assertThrows(LoadException.class, () -> resolve(p, ls, "0:1", CoreReloKind.TYPE_SIZE));
    }

    @Test
    void typeMatchingFollowsPointersEnumsAndFunctionPrototypes() {
        Pair p = new Pair();
        int lFwd = p.local.fwd("node", false);
        int lp = p.local.ptr(lFwd);
        int lEnum = p.local.enum32("mode", 4, false, "MODE_A", 0);
        int ls = p.local.composite(STRUCT, "holder", 16, false, "next", lp, 0, "mode", lEnum, 64);
        int tNode = p.target.composite(STRUCT, "node", 8, false, "v", p.tLong, 0);
        int tp = p.target.ptr(tNode);
        int tEnum = p.target.enum32("mode", 4, false, "MODE_B", 1, "MODE_A", 0);
        p.target.composite(STRUCT, "holder", 24, false, "x", p.tLong, 0, "mode", tEnum, 64, "next", tp, 128);
        assertEquals(1, resolve(p, ls, "0", CoreReloKind.TYPE_MATCHES).newValue());
        assertTrue(CoreTypes.matches(p.local.parse(), lEnum, p.target.parse(), tEnum));
        int lProto = p.local.funcProto(p.lInt, "a", p.lInt);
        int tProto = p.target.funcProto(p.tInt, "a", p.tInt);
        int tProto2 = p.target.funcProto(p.tInt, "a", p.tInt, "b", p.tInt);
        Btf l = p.local.parse();
        Btf t = p.target.parse();
        assertTrue(CoreTypes.compatible(l, lProto, t, tProto));
        assertFalse(CoreTypes.compatible(l, lProto, t, tProto2));
    }

    // ------------------------------------------------------------------ enums

    @Test
    void enumValuesComeFromTheTarget() {
        Pair p = new Pair();
        int le = p.local.enum32("pid_type", 4, false, "PIDTYPE_PID", 10, "PIDTYPE_SID", 13, "FAKE", 99);
        p.target.enum32("pid_type", 4, false, "PIDTYPE_PID", 0, "PIDTYPE_TGID", 1, "PIDTYPE_SID___x", 3);
        CoreResult sid = resolve(p, le, "1", CoreReloKind.ENUMVAL_VALUE);
        assertEquals(13, sid.originalValue());
        assertEquals(3, sid.newValue());
        assertEquals(1, resolve(p, le, "1", CoreReloKind.ENUMVAL_EXISTS).newValue());
        assertEquals(0, resolve(p, le, "2", CoreReloKind.ENUMVAL_EXISTS).newValue());
        assertTrue(resolve(p, le, "2", CoreReloKind.ENUMVAL_VALUE).poison());
    }

    @Test
    void a64BitTargetEnumMatchesA32BitLocalOne() {
        Pair p = new Pair();
        int le = p.local.enum32("flags", 4, false, "F_BIG", 1);
        p.target.enum64("flags", 8, false, "F_SMALL", 1L, "F_BIG", 1L << 40);
        assertEquals(1L << 40, resolve(p, le, "0", CoreReloKind.ENUMVAL_VALUE).newValue());
        int signed = p.local.enum32("neg", 4, true, "N_MINUS", -1);
        p.target.enum32("neg", 4, true, "N_MINUS", -2);
        CoreResult neg = resolve(p, signed, "0", CoreReloKind.ENUMVAL_VALUE);
        assertEquals(-1, neg.originalValue());
        assertEquals(-2, neg.newValue());
    }

    // ------------------------------------------------------------------ candidates

    @Test
    void candidatesThatDisagreeAreAnAmbiguityError() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "dup", 4, false, "x", p.lInt, 0);
        p.target.composite(STRUCT, "dup", 8, false, "y", p.tInt, 0, "x", p.tInt, 32);
        p.target.composite(STRUCT, "dup___v2", 8, false, "x", p.tInt, 0);
        LoadException e = assertThrows(LoadException.class, () -> resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
        // As libbpf: even "exists" is refused when the candidates place the field differently.
        assertThrows(LoadException.class, () -> resolve(p, ls, "0:0", CoreReloKind.FIELD_EXISTS));
        // A type relocation has no field offset: both candidates exist, no ambiguity.
        assertEquals(1, resolve(p, ls, "0", CoreReloKind.TYPE_EXISTS).newValue());
    }

    @Test
    void candidatesThatAgreeAreFine() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "twin", 4, false, "x", p.lInt, 0);
        p.target.composite(STRUCT, "twin", 8, false, "x", p.tInt, 0, "y", p.tInt, 32);
        p.target.composite(STRUCT, "twin___v2", 4, false, "x", p.tInt, 0);
        assertEquals(0, resolve(p, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET).newValue());
    }

    @Test
    void moduleBtfIsSearchedOnlyWhenTheBaseHasNoCandidate() {
        BtfBuilder local = new BtfBuilder();
        int li = local.integer("int", 4, SIGNED, 0, 32);
        int lMod = local.composite(STRUCT, "mod_state", 4, false, "count", li, 0);
        int lBoth = local.composite(STRUCT, "shared", 4, false, "v", li, 0);
        BtfBuilder base = new BtfBuilder();
        int bi = base.integer("int", 4, SIGNED, 0, 32);
        base.composite(STRUCT, "shared", 8, false, "w", bi, 0, "v", bi, 32);
        Btf vmlinux = base.parse();
        BtfBuilder mod = BtfBuilder.splitOver(vmlinux);
        int modId = mod.composite(STRUCT, "mod_state", 8, false, "pad", bi, 0, "count", bi, 32);
        mod.composite(STRUCT, "shared", 4, false, "v", bi, 0);
        Btf modBtf = mod.parse(vmlinux);
        int[] asked = new int[1];
        CoreTarget target = CoreTarget.of(vmlinux, () -> {
            asked[0]++;
            return Map.of("my_mod", modBtf);
        });
        CoreRelocator r = new CoreRelocator(local.parse(), target);
        CoreResult shared = r.resolve(relo(lBoth, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertEquals(4, shared.newValue(), "the base's struct, not the module's");
        assertEquals(0, asked[0], "modules not read while the base has candidates");
        CoreResult inModule = r.resolve(relo(lMod, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertEquals(4, inModule.newValue());
        assertEquals("my_mod", inModule.target().module());
        assertEquals(modId, inModule.target().id());
        assertEquals(List.of(), target.candidates("absent", BtfKind.STRUCT));
    }

    @Test
    void flavoredTargetNamesAreFoundWhereverTheRunFalls() {
        BtfBuilder b = new BtfBuilder();
        int i = b.integer("int", 4, SIGNED, 0, 32);
        java.util.List<Integer> expected = new java.util.ArrayList<>();
        // Runs at every position modulo 8 bytes, beside names that only start alike.
        for (int pad = 0; pad < 10; pad++) {
            expected.add(b.composite(STRUCT, "x".repeat(pad + 1) + "___v" + pad, 4, false, "m", i, 0));
            b.composite(STRUCT, "plain" + "y".repeat(pad), 4, false, "m", i, 0);
        }
        b.composite(STRUCT, "two__under", 4, false, "m", i, 0);
        CoreTarget target = CoreTarget.of(b.parse());
        for (int pad = 0; pad < 10; pad++) {
            assertEquals(List.of(expected.get(pad)), target.candidates("x".repeat(pad + 1), BtfKind.STRUCT).stream()
                    .map(c -> c.id()).toList());
        }
        assertEquals(List.of(), target.candidates("two", BtfKind.STRUCT));
        assertEquals(List.of(), CoreTarget.of(new BtfBuilder().parse()).candidates("x", BtfKind.STRUCT));
    }

    @Test
    void aTargetCanBeReadFromARawBtfFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "task", 4, false, "pid", p.lInt, 0);
        p.target.composite(STRUCT, "task", 16, false, "x", p.tLong, 0, "pid", p.tInt, 64);
        java.nio.file.Path file = java.nio.file.Files.write(tmp.resolve("target.btf"), p.target.build());
        CoreRelocator r = new CoreRelocator(p.local.parse(), CoreTarget.fromFile(file));
        assertEquals(8, r.resolve(relo(ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)).newValue());
        assertThrows(io.bpfkit.api.BpfException.class, () -> CoreTarget.fromFile(tmp.resolve("missing.btf")));
        java.nio.file.Path junk = java.nio.file.Files.write(tmp.resolve("junk.btf"), new byte[] {1, 2, 3});
        assertThrows(io.bpfkit.api.ObjectFormatException.class, () -> CoreTarget.fromFile(junk));
    }

    @Test
    void anonymousLocalTypesAndBadRecordsAreRefused() {
        Pair p = new Pair();
        int anon = p.local.composite(STRUCT, "", 4, false, "x", p.lInt, 0);
        int ls = p.local.composite(STRUCT, "s", 4, false, "x", p.lInt, 0);
        p.target.composite(STRUCT, "s", 4, false, "x", p.tInt, 0);
        assertThrows(LoadException.class, () -> resolve(p, anon, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        LoadException past = assertThrows(LoadException.class, () -> resolve(p, ls, "0:5", CoreReloKind.FIELD_BYTE_OFFSET));
        assertTrue(past.getMessage().contains("struct s"), past.getMessage());
        assertThrows(LoadException.class, () -> resolve(p, 999, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertThrows(LoadException.class, () -> resolve(p, p.lInt, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        assertThrows(LoadException.class, () -> resolve(p, ls, "0", CoreReloKind.ENUMVAL_VALUE));
    }

    // ------------------------------------------------------------------ patching

    private static byte[] insns(long... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        return b.array();
    }

    /** An instruction word: opcode, dst, src, off, imm. */
    private static long insn(int code, int dst, int src, int off, int imm) {
        return (code & 0xffL) | (long) (dst | src << 4) << 8 | (off & 0xffffL) << 16 | (long) imm << 32;
    }

    @Test
    void instructionsArePatchedAsLibbpfPatchesThem() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "task", 8, false, "pid", p.lInt, 0, "len", p.lUint, 32);
        p.target.composite(STRUCT, "task", 24, false, "state", p.tLong, 0, "pid", p.tInt, 64, "len", p.tUlong, 128);
        byte[] code = insns(
                insn(0x61, 1, 2, 0, 0),          // 0: r1 = *(u32 *)(r2 + 0)   pid offset
                insn(0x07, 1, 0, 0, 4),          // 1: r1 += 4                 len offset (ALU)
                insn(0x18, 1, 0, 0, 8), 0L,      // 2: r1 = 8 ll               task size
                insn(0x61, 3, 2, 4, 0),          // 4: r3 = *(u32 *)(r2 + 4)   len: u32 -> u64
                insn(0x61, 3, 2, 0, 0));         // 5: r3 = *(u32 *)(r2 + 0)   missing field
        int missing = p.local.composite(STRUCT, "task___gone", 4, false, "gone", p.lInt, 0);
        List<BtfExt.CoreRelocation> relos = List.of(
                new BtfExt.CoreRelocation(0, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET),
                new BtfExt.CoreRelocation(1, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET),
                new BtfExt.CoreRelocation(2, ls, "0", CoreReloKind.TYPE_SIZE),
                new BtfExt.CoreRelocation(4, ls, "0:1", CoreReloKind.FIELD_BYTE_OFFSET),
                new BtfExt.CoreRelocation(5, missing, "0:0", CoreReloKind.FIELD_BYTE_OFFSET));
        List<CoreRelocator.Poisoned> dead = p.relocator().apply("prog", code, ByteOrder.LITTLE_ENDIAN, relos);
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        assertEquals(8, Instructions.offset(code, 0, le));
        assertEquals(16, Instructions.imm(code, 1, le));
        assertEquals(24, Instructions.imm(code, 2, le));
        assertEquals(0, Instructions.imm(code, 3, le));
        assertEquals(16, Instructions.offset(code, 4, le));
        assertEquals(0x79, Instructions.opcode(code, 4), "u32 load widened to u64 (unsigned both sides)");
        assertEquals(Instructions.OP_CALL, Instructions.opcode(code, 5));
        assertEquals(CoreRelocator.POISON_HELPER_ID, Instructions.imm(code, 5, le));
        assertEquals(1, dead.size());
        assertEquals(5, dead.get(0).instruction());
        assertTrue(dead.get(0).describe().contains("task___gone"), dead.get(0).describe());
        assertTrue(dead.get(0).describe().contains("gone"), dead.get(0).describe());
    }

    @Test
    void aSignedSizeChangeIsPoisonedAndAWrongInstructionIsAnError() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "s", 4, false, "v", p.lInt, 0);
        p.target.composite(STRUCT, "s", 8, false, "v", p.tLong, 0);
        byte[] code = insns(insn(0x61, 1, 2, 0, 0), insn(0x18, 1, 0, 0, 1), 0L);
        List<CoreRelocator.Poisoned> dead = p.relocator().apply("prog", code, ByteOrder.LITTLE_ENDIAN,
                List.of(new BtfExt.CoreRelocation(0, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET),
                        new BtfExt.CoreRelocation(1, ls, "0", CoreReloKind.TYPE_MATCHES)));
        assertEquals(1, dead.size());
        assertEquals(0, Instructions.imm(code, 1, ByteOrder.LITTLE_ENDIAN), "int v does not match long v");
        assertEquals(CoreRelocator.POISON_HELPER_ID, Instructions.imm(code, 0, ByteOrder.LITTLE_ENDIAN));

        byte[] wrong = insns(insn(0x61, 1, 2, 12, 0));
        LoadException e = assertThrows(LoadException.class, () -> p.relocator().apply("prog", wrong,
                ByteOrder.LITTLE_ENDIAN, List.of(new BtfExt.CoreRelocation(0, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET))));
        assertTrue(e.getMessage().contains("offset 12"), e.getMessage());
        assertThrows(LoadException.class, () -> p.relocator().apply("prog", wrong, ByteOrder.LITTLE_ENDIAN,
                List.of(new BtfExt.CoreRelocation(7, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET))));
    }

    @Test
    void aPoisonedLdImm64PoisonsBothHalves() {
        Pair p = new Pair();
        int le = p.local.enum32("e", 4, false, "GONE", 5);
        p.target.enum32("e", 4, false, "OTHER", 1);
        byte[] code = insns(insn(0x18, 1, 0, 0, 5), 0L);
        p.relocator().apply("prog", code, ByteOrder.LITTLE_ENDIAN,
                List.of(new BtfExt.CoreRelocation(0, le, "0", CoreReloKind.ENUMVAL_VALUE)));
        for (int i = 0; i < 2; i++) {
            assertEquals(Instructions.OP_CALL, Instructions.opcode(code, i));
            assertEquals(CoreRelocator.POISON_HELPER_ID, Instructions.imm(code, i, ByteOrder.LITTLE_ENDIAN));
        }
    }

    @Test
    void bigEndianInstructionsArePatchedInTheirOrder() {
        Pair p = new Pair();
        int ls = p.local.composite(STRUCT, "s", 8, false, "a", p.lInt, 0, "b", p.lInt, 32);
        p.target.composite(STRUCT, "s", 12, false, "b", p.tInt, 0, "c", p.tInt, 32, "a", p.tInt, 64);
        byte[] code = new byte[8];
        code[0] = 0x61;
        code[1] = 0x12; // big-endian: dst in the high nibble
        p.relocator().apply("prog", code, ByteOrder.BIG_ENDIAN,
                List.of(new BtfExt.CoreRelocation(0, ls, "0:0", CoreReloKind.FIELD_BYTE_OFFSET)));
        assertEquals(8, Instructions.offset(code, 0, ByteOrder.BIG_ENDIAN));
        assertEquals(0x12, code[1]);
    }
}
