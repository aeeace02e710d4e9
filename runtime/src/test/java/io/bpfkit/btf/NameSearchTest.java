package io.bpfkit.btf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Btf#localIdsNamedOrFlavored}, CO-RE's one-pass candidate search, against its
 * definition (names read one by one): names of one to five bytes, flavours of them, names that
 * merely share a prefix, both byte orders, blobs in an array and not, split BTF naming its
 * types with the base's strings, and vmlinux.
 */
class NameSearchTest {
    private static final List<String> NAMES = List.of("a", "a___v1", "a__b", "a_", "ab", "ab___x", "abc",
            "abc___", "abc____d", "abcd", "abcde", "abcd___y___z", "abcdx", "b___c", "t", "task_struct",
            "task_struct___old", "task_structure", "task", "_", "__u32", "___");

    private static final List<String> WANTED = List.of("a", "ab", "abc", "abcd", "abcd___y", "task_struct",
            "task", "_", "__u32", "b", "absent", "", "t", "x");

    /** The definition: named exactly so, or so followed by "___". */
    private static int[] expected(Btf btf, String want) {
        List<Integer> ids = new ArrayList<>();
        for (int id = btf.firstId(); id < btf.typeCount(); id++) {
            String n = btf.name(id);
            if (!want.isEmpty() && (n.equals(want) || n.startsWith(want + "___"))) {
                ids.add(id);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void assertAgrees(Btf btf, List<String> wanted) {
        int[][] found = btf.localIdsNamedOrFlavored(wanted);
        assertEquals(wanted.size(), found.length);
        for (int i = 0; i < wanted.size(); i++) {
            assertArrayEquals(expected(btf, wanted.get(i)), found[i], "\"" + wanted.get(i) + "\"");
        }
    }

    private static BtfBuilder named(ByteOrder order) {
        BtfBuilder b = new BtfBuilder(order);
        int i = b.integer("int", 4, 1, 0, 32);
        b.ptr(i);
        for (String n : NAMES) {
            b.composite(Btf.K_STRUCT, n, 4, false, "m", i, 0);
            b.ptr(i); // an anonymous type between named ones
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(names = {"LITTLE_ENDIAN", "BIG_ENDIAN"}, value = ByteOrderName.class)
    void findsExactNamesAndFlavoursInEitherByteOrder(ByteOrderName order) {
        Btf btf = named(order.order).parse();
        assertAgrees(btf, WANTED);
        assertArrayEquals(new int[] {btf.findId("abc", BtfKind.STRUCT).getAsInt(),
                btf.findId("abc___", BtfKind.STRUCT).getAsInt(), btf.findId("abc____d", BtfKind.STRUCT).getAsInt()},
                btf.localIdsNamedOrFlavored(List.of("abc"))[0]);
    }

    enum ByteOrderName {
        LITTLE_ENDIAN(ByteOrder.LITTLE_ENDIAN), BIG_ENDIAN(ByteOrder.BIG_ENDIAN);

        final ByteOrder order;

        ByteOrderName(ByteOrder order) {
            this.order = order;
        }
    }

    @Test
    void aBlobNotInAnArrayIsSearchedTheSame() {
        byte[] raw = named(ByteOrder.LITTLE_ENDIAN).build();
        Btf inArray = Btf.parse(MemorySegment.ofArray(raw));
        Btf readOnly = Btf.parse(MemorySegment.ofArray(raw).asReadOnly());
        Btf offHeap = Btf.parse(java.lang.foreign.Arena.ofAuto().allocate(raw.length).copyFrom(MemorySegment.ofArray(raw)));
        int[][] want = inArray.localIdsNamedOrFlavored(WANTED);
        assertEquals(Arrays.deepToString(want), Arrays.deepToString(readOnly.localIdsNamedOrFlavored(WANTED)));
        assertEquals(Arrays.deepToString(want), Arrays.deepToString(offHeap.localIdsNamedOrFlavored(WANTED)));
        // A slice of a larger array: the blob does not start at the array's start.
        byte[] padded = new byte[raw.length + 16];
        System.arraycopy(raw, 0, padded, 8, raw.length);
        Btf sliced = Btf.parse(MemorySegment.ofArray(padded).asSlice(8, raw.length));
        assertEquals(Arrays.deepToString(want), Arrays.deepToString(sliced.localIdsNamedOrFlavored(WANTED)));
    }

    @Test
    void splitBtfFindsOnlyItsOwnTypesAlsoWhenNamedByBaseStrings() {
        BtfBuilder base = new BtfBuilder();
        int i = base.integer("int", 4, 1, 0, 32);
        base.composite(Btf.K_STRUCT, "task", 4, false, "m", i, 0);
        int baseTaskName = base.str("task");
        Btf vmlinux = base.parse();
        BtfBuilder mod = BtfBuilder.splitOver(vmlinux);
        int own = mod.composite(Btf.K_STRUCT, "task___mod", 4, false, "m", i, 0);
        int byBaseString = mod.raw(baseTaskName, BtfBuilder.info(Btf.K_STRUCT, 0, false), 0);
        mod.composite(Btf.K_STRUCT, "tasks", 4, false, "m", i, 0);
        Btf split = mod.parse(vmlinux);
        assertArrayEquals(new int[] {own, byBaseString}, split.localIdsNamedOrFlavored(List.of("task"))[0]);
        assertAgrees(split, WANTED);
        assertArrayEquals(new int[] {vmlinux.findId("task", BtfKind.STRUCT).getAsInt()},
                vmlinux.localIdsNamedOrFlavored(List.of("task"))[0]);
    }

    @Test
    void agreesWithReadingEveryNameOfVmlinux() throws java.io.IOException {
        Btf vmlinux = Btf.parse(MemorySegment.ofArray(Files.readAllBytes(TestTools.requireVmlinuxBtf())));
        // Every 997th distinct name, and the CO-RE staples; names shared by several types included.
        List<String> wanted = new ArrayList<>(List.of("task_struct", "mm_struct", "file", "pid", "u32", "__u64",
                "trace_event_raw_sys_enter", "sk_buff", "bpf_map", "list_head", "x", "_"));
        java.util.Set<String> seen = new java.util.HashSet<>(wanted);
        for (int id = 1; id < vmlinux.typeCount(); id += 997) {
            String n = vmlinux.name(id);
            if (!n.isEmpty() && seen.add(n)) {
                wanted.add(n);
            }
        }
        int[][] found = vmlinux.localIdsNamedOrFlavored(wanted);
        // The definition, in one pass over the names rather than one per wanted name.
        java.util.Map<String, List<Integer>> byName = new java.util.HashMap<>();
        for (int id = 1; id < vmlinux.typeCount(); id++) {
            byName.computeIfAbsent(vmlinux.name(id), k -> new ArrayList<>()).add(id);
        }
        for (int w = 0; w < wanted.size(); w++) {
            String want = wanted.get(w);
            List<Integer> ids = new ArrayList<>();
            for (var e : byName.entrySet()) {
                if (e.getKey().equals(want) || e.getKey().startsWith(want + "___")) {
                    ids.addAll(e.getValue());
                }
            }
            ids.sort(null);
            assertEquals(ids, Arrays.stream(found[w]).boxed().toList(), want);
        }
        assertTrue(found[0].length >= 1, "task_struct is in vmlinux");
    }
}
