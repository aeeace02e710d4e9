package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Truncated, corrupted and hostile BTF: every failure is an {@link ObjectFormatException}
 * naming .BTF and an offset; nothing else escapes, nothing hangs, nothing allocates by an
 * untrusted count.
 */
class BtfBadInputTest {

    /** A small blob with every kind, in the given order. */
    static byte[] sample(ByteOrder order) {
        BtfBuilder b = new BtfBuilder(order);
        int tInt = b.integer("int", 4, 1, 0, 32);
        int ptr = b.ptr(tInt);
        int arr = b.array(tInt, tInt, 4);
        int st = b.composite(Btf.K_STRUCT, "s", 24, true, "a", tInt, 3 << 24, "b", arr, 32, "p", ptr, 128);
        b.composite(Btf.K_UNION, "u", 4, false, "x", tInt, 0);
        b.enum32("e", 4, false, "A", 1, "B", 2);
        b.fwd("f", false);
        int td = b.ref(Btf.K_TYPEDEF, "s_t", st);
        b.ref(Btf.K_VOLATILE, "", td);
        int cst = b.ref(Btf.K_CONST, "", td);
        b.ref(Btf.K_RESTRICT, "", ptr);
        int proto = b.funcProto(tInt, "x", tInt, "y", ptr);
        int fn = b.func("fn", proto, 1);
        int var = b.var("v", cst, 1);
        b.datasec(".data", 24, var, 0, 24);
        b.floating("float", 4);
        b.declTag("tag", fn, 1);
        b.ref(Btf.K_TYPE_TAG, "user", tInt);
        b.enum64("e64", 8, true, "C", -3L);
        return b.build();
    }

    private static final int TYPES = 24; // header size: the type section follows at once

    /** How far a blob got: refused by parse, refused by validate, or valid. */
    enum Outcome {
        PARSE_REFUSED, VALIDATE_REFUSED, VALID
    }

    /**
     * Parses, then uses everything; only ObjectFormatException may come out, and once
     * {@link Btf#validate()} passed, only for cycles and oversized types. Returns how far it got.
     */
    static Outcome exercise(MemorySegment blob) {
        Btf btf;
        try {
            btf = Btf.parse(blob);
        } catch (ObjectFormatException e) {
            assertFormatError(e, blob);
            return Outcome.PARSE_REFUSED;
        }
        boolean valid;
        try {
            btf.validate();
            valid = true;
        } catch (ObjectFormatException e) {
            assertFormatError(e, blob);
            valid = false;
        }
        try {
            BtfDump.dumpBytes(btf);
        } catch (ObjectFormatException e) {
            assertTrue(!valid, "a validated blob dumps: " + e.getMessage());
        }
        for (int id = 0; id < btf.typeCount(); id++) {
            int tid = id;
            btf.kind(id);
            String name = btf.name(id);
            if (!name.isEmpty()) {
                btf.findId(name, btf.kind(id));
                try {
                    btf.findAll(name); // decodes what it finds
                } catch (ObjectFormatException e) {
                    assertTrue(!valid, "a validated blob decodes: " + e.getMessage());
                }
            }
            for (Runnable r : List.<Runnable>of(
                    () -> btf.resolveSize(tid), () -> btf.skipModifiers(tid), () -> btf.skipModifiersAndTypedefs(tid))) {
                try {
                    r.run();
                } catch (ObjectFormatException e) {
                    // a cycle or an oversized type: allowed
                }
            }
            try {
                btf.type(id);
                if (id > 0) {
                    BtfDump.dumpType(btf, id);
                }
            } catch (ObjectFormatException e) {
                assertTrue(!valid, "a validated blob decodes: " + e.getMessage());
            }
        }
        btf.pointerSize();
        try {
            btf.datasec(".data"); // decodes what it finds
        } catch (ObjectFormatException e) {
            assertTrue(!valid, "a validated blob decodes: " + e.getMessage());
        }
        return valid ? Outcome.VALID : Outcome.VALIDATE_REFUSED;
    }

    private static void assertFormatError(ObjectFormatException e, MemorySegment blob) {
        assertEquals(".BTF", e.section());
        assertTrue(e.offset() >= -1 && e.offset() <= blob.byteSize(), "offset inside the blob: " + e.getMessage());
    }

    /** A blob whose fixed parts are fine but one type's entries are not: parse passes, reading fails. */
    private static void assertBadEntry(byte[] blob, int id, String messagePart) {
        Btf btf = Btf.parse(MemorySegment.ofArray(blob));
        btf.kind(id);
        btf.name(id);
        for (org.junit.jupiter.api.function.Executable use : List.<org.junit.jupiter.api.function.Executable>of(
                btf::validate, () -> btf.type(id), () -> BtfDump.dumpBytes(btf), () -> BtfDump.dumpType(btf, id),
                () -> BtfCHeader.of(btf))) {
            ObjectFormatException e = assertThrows(ObjectFormatException.class, use);
            assertEquals(".BTF", e.section());
            assertTrue(e.getMessage().contains(messagePart), "\"" + e.getMessage() + "\" should mention " + messagePart);
            assertTrue(e.offset() > 24 && e.offset() < blob.length, e.getMessage());
        }
    }

    private static void assertBad(byte[] blob, String messagePart) {
        ObjectFormatException e = assertThrows(ObjectFormatException.class, () -> Btf.parse(MemorySegment.ofArray(blob)));
        assertEquals(".BTF", e.section());
        assertTrue(e.getMessage().contains(messagePart), "message \"" + e.getMessage() + "\" should mention " + messagePart);
    }

    @Test
    void truncatedAtEveryLength() {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            byte[] blob = sample(order);
            Btf.parse(MemorySegment.ofArray(blob));
            for (int len = 0; len < blob.length; len++) {
                int n = len;
                assertThrows(ObjectFormatException.class,
                        () -> Btf.parse(MemorySegment.ofArray(blob).asSlice(0, n)), "truncated to " + len);
            }
        }
    }

    @Test
    void typeSectionCutShortAtEveryLength() {
        byte[] blob = sample(ByteOrder.LITTLE_ENDIAN);
        int typeLen = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        for (int len = 0; len < typeLen; len++) {
            exercise(MemorySegment.ofArray(BtfBuilder.putU32(blob, 12, len)));
        }
    }

    @Test
    void badHeaders() {
        byte[] blob = sample(ByteOrder.LITTLE_ENDIAN);
        int size = blob.length;
        assertBad(BtfBuilder.putU32(blob, 0, 0x0001EB9E), "magic");
        byte[] v2 = blob.clone();
        v2[2] = 2;
        assertBad(v2, "version");
        byte[] flags = blob.clone();
        flags[3] = 1;
        assertBad(flags, "flags");
        assertBad(BtfBuilder.putU32(blob, 4, 0), "header length");
        assertBad(BtfBuilder.putU32(blob, 4, 23), "header length");
        assertBad(BtfBuilder.putU32(blob, 4, size + 1), "header length");
        assertBad(BtfBuilder.putU32(blob, 4, -1), "header length");
        assertBad(BtfBuilder.putU32(blob, 8, 2), "aligned");
        assertBad(BtfBuilder.putU32(blob, 8, -4), "type section");
        assertBad(BtfBuilder.putU32(blob, 12, -1), "type section");
        assertBad(BtfBuilder.putU32(blob, 12, size), "type section");
        assertBad(BtfBuilder.putU32(blob, 16, -1), "string section");
        assertBad(BtfBuilder.putU32(blob, 20, -1), "string section");
        assertBad(BtfBuilder.putU32(blob, 20, 0), "string section is empty");
        assertBad(BtfBuilder.putU32(blob, 16, 4), "overlaps");
        byte[] noNul = blob.clone();
        noNul[size - 1] = 'x';
        assertBad(noNul, "NUL");
        int strOff = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(16);
        byte[] noEmpty = blob.clone();
        noEmpty[TYPES + strOff] = 'x';
        assertBad(noEmpty, "empty string");
        assertBad(new byte[0], "header");
        assertBad(new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0}, "header");
    }

    @Test
    void headerOnlyBlobIsEmpty() {
        byte[] blob = new BtfBuilder().build();
        Btf btf = Btf.parse(MemorySegment.ofArray(blob));
        assertEquals(1, btf.typeCount());
        assertEquals("", BtfDump.dump(btf));
        assertTrue(btf.findAll("x").isEmpty());
    }

    @Test
    void hugeVlenIsCheckedAgainstTheBytesLeft() {
        for (int kind : new int[] {Btf.K_STRUCT, Btf.K_UNION, Btf.K_ENUM, Btf.K_ENUM64, Btf.K_FUNC_PROTO, Btf.K_DATASEC}) {
            BtfBuilder b = new BtfBuilder();
            b.add(kind, "big", 0xffff, false, 4, 0, 0, 0);
            assertBad(b.build(), "needs");
        }
    }

    @Test
    void unknownKinds() {
        for (int kind : new int[] {0, 20, 31}) {
            BtfBuilder b = new BtfBuilder();
            b.integer("int", 4, 1, 0, 32);
            b.add(kind, "x", 0, false, 1);
            assertBad(b.build(), "kind " + kind);
        }
    }

    @Test
    void stringOffsetsOutOfRange() {
        BtfBuilder b = new BtfBuilder();
        b.raw(999, BtfBuilder.info(Btf.K_INT, 0, false), 4, 32);
        assertBad(b.build(), "string offset");
        b = new BtfBuilder();
        b.raw(-1, BtfBuilder.info(Btf.K_FWD, 0, false), 0);
        assertBad(b.build(), "string offset");

        b = new BtfBuilder();
        b.add(Btf.K_STRUCT, "s", 1, false, 4, 5000, 0, 0);
        assertBadEntry(b.build(), 1, "string offset 5000");
        b = new BtfBuilder();
        b.add(Btf.K_ENUM, "e", 2, false, 4, 0, 1, 77777, 2);
        assertBadEntry(b.build(), 1, "string offset 77777");
        b = new BtfBuilder();
        b.add(Btf.K_ENUM64, "e", 1, false, 8, 1 << 30, 1, 0);
        assertBadEntry(b.build(), 1, "string offset " + (1 << 30));
        b = new BtfBuilder();
        b.add(Btf.K_FUNC_PROTO, "", 1, false, 0, 12345, 0);
        assertBadEntry(b.build(), 1, "string offset 12345");
    }

    @Test
    void typeIdsOutOfRange() {
        int[][] cases = {
            {Btf.K_PTR, 5}, {Btf.K_TYPEDEF, -1}, {Btf.K_CONST, 3}, {Btf.K_VOLATILE, 3}, {Btf.K_RESTRICT, 3},
            {Btf.K_TYPE_TAG, 3}, {Btf.K_FUNC, 3},
        };
        for (int[] c : cases) {
            BtfBuilder b = new BtfBuilder();
            b.integer("int", 4, 1, 0, 32);
            b.ref(c[0], "r", c[1]);
            assertBad(b.build(), "type id");
        }
        List<BtfBuilder> builders = new ArrayList<>();
        BtfBuilder b = new BtfBuilder();
        b.array(1, 7, 1);
        builders.add(b);
        b = new BtfBuilder();
        b.array(7, 1, 1);
        builders.add(b);
        b = new BtfBuilder();
        b.funcProto(9);
        builders.add(b);
        b = new BtfBuilder();
        b.var("v", 2, 0);
        builders.add(b);
        b = new BtfBuilder();
        b.declTag("t", 5, -1);
        builders.add(b);
        for (BtfBuilder bb : builders) {
            assertBad(bb.build(), "type id");
        }

        b = new BtfBuilder();
        b.composite(Btf.K_STRUCT, "s", 4, false, "m", 2, 0);
        assertBadEntry(b.build(), 1, "type id 2");
        b = new BtfBuilder();
        b.funcProto(0, "p", 1000);
        assertBadEntry(b.build(), 1, "type id 1000");
        b = new BtfBuilder();
        b.datasec(".d", 4, 3, 0, 4);
        assertBadEntry(b.build(), 1, "type id 3");
        b = new BtfBuilder();
        b.datasec(".d", 4, 1, 0, 4, -1, 0, 4);
        assertBadEntry(b.build(), 1, "type id 4294967295");
    }

    @Test
    void valuesTheRecordsCannotHold() {
        BtfBuilder b = new BtfBuilder();
        b.func("f", 0, 3);
        assertBad(b.build(), "linkage");
        b = new BtfBuilder();
        b.var("v", 0, 3);
        assertBad(b.build(), "linkage");
        b = new BtfBuilder();
        b.var("v", 0, -1);
        assertBad(b.build(), "linkage");
        b = new BtfBuilder();
        b.declTag("t", 0, -2);
        assertBad(b.build(), "component index");
    }

    @Test
    void randomCorruptionGivesOnlyFormatErrors() throws Exception {
        long seconds = Math.min(Long.getLong("bpfkit.fuzzSeconds", 30), 2);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<byte[]> seeds = new ArrayList<>(List.of(sample(ByteOrder.LITTLE_ENDIAN), sample(ByteOrder.BIG_ENDIAN)));
        for (Path p : TestTools.testObjects().stream().limit(4).toList()) {
            seeds.add(TestTools.elfSection(Files.readAllBytes(p), ".BTF").orElseThrow(() -> new AssertionError(p
                    + " has no .BTF")).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        assertEquals(6, seeds.size(), "two built samples and the .BTF of four test objects");
        Random random = new Random(0xB7F);
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        int runs = 0;
        while (runs < 300 || System.nanoTime() < deadline) {
            byte[] seed = seeds.get(random.nextInt(seeds.size()));
            byte[] m = seed.clone();
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++) {
                int at = random.nextInt(m.length);
                switch (random.nextInt(4)) {
                    case 0 -> m[at] = (byte) random.nextInt();
                    case 1 -> m[at] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> {
                        int word = at & ~3;
                        if (word + 4 <= m.length) {
                            int[] interesting = {0, 1, -1, 0xffff, 0x7fffffff, 0x80000000, 24, m.length, random.nextInt(64)};
                            ByteBuffer.wrap(m).order(BtfBuilder.orderOf(seed)).putInt(word,
                                    interesting[random.nextInt(interesting.length)]);
                        }
                    }
                    default -> m = java.util.Arrays.copyOf(m, random.nextInt(m.length + 1));
                }
                if (m.length == 0) {
                    break;
                }
            }
            try {
                outcomes.merge(exercise(MemorySegment.ofArray(m)), 1, Integer::sum);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                fail("mutant " + runs + " threw " + e, e);
            }
            runs++;
            if (runs >= 200_000) {
                break;
            }
        }
        // The mutants reach every path: each outcome in at least 2% of them (measured here: about
        // PARSE_REFUSED 67%, VALIDATE_REFUSED 6%, VALID 27%); a mutator that broke only headers, or
        // changed nothing that mattered, would not.
        System.out.println("BtfBadInputTest: " + runs + " mutants: " + outcomes);
        for (Outcome o : Outcome.values()) {
            assertTrue(outcomes.getOrDefault(o, 0) >= runs / 50, o + " in " + outcomes + " of " + runs + " mutants");
        }
    }
}
