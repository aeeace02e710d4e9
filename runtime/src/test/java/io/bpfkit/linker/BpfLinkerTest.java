package io.bpfkit.linker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfType;
import io.bpfkit.elf.ElfFile;
import io.bpfkit.elf.ElfSymbol;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.GlobalVariable;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.ProgramSpec;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Links link_a, link_b and link_c and reads the result back with bpfkit's own opener. */
class BpfLinkerTest {
    private static final String[] ABC = {"link_a.bpf.o", "link_b.bpf.o", "link_c.bpf.o"};

    private static BpfObjectSpec open(byte[] linked) {
        return BpfObjects.open(linked, "linked.bpf.o");
    }

    private static BpfObjectSpec openInput(String name) {
        return BpfObjects.open(LinkObjects.path(name));
    }

    @Test
    void programsOfEveryInputAreInTheirMergedSectionWithTheirCode() {
        BpfObjectSpec linked = open(BpfLinker.link(LinkObjects.inputs(ABC)));
        Map<String, ProgramSpec> programs = linked.programs().stream().filter(p -> !p.isSubprogram())
                .collect(Collectors.toMap(ProgramSpec::name, Function.identity()));
        assertEquals(List.of("link_entry_a", "link_entry_b", "link_entry_c"),
                programs.keySet().stream().sorted().toList());
        long offset = 0;
        for (String input : ABC) {
            ElfFile own = ElfFile.parse(MemorySegment.ofArray(LinkObjects.inputs(input).get(0).bytes()));
            int tc = own.section("tc").orElseThrow().index();
            for (ElfSymbol s : own.symbols()) {
                if (s.sectionIndex() != tc || s.type() != ElfFile.STT_FUNC) {
                    continue;
                }
                ProgramSpec merged = programs.get(s.name());
                assertEquals("tc", merged.section());
                assertEquals(offset + s.value(), merged.sectionOffset(), s.name() + " follows the previous input's code");
                assertEquals(s.size() / 8, merged.instructionCount(), s.name());
            }
            offset += own.section("tc").orElseThrow().size();
        }
        assertEquals("GPL", linked.license());
    }

    @Test
    void theMapIsDefinedOnceAndTheExternsResolveToIt() {
        BpfObjectSpec linked = open(BpfLinker.link(LinkObjects.inputs(ABC)));
        List<MapSpec> counts = linked.maps().stream().filter(m -> m.name().equals("link_counts")).toList();
        assertEquals(1, counts.size());
        assertEquals(4, counts.get(0).maxEntries());
        assertEquals(8, counts.get(0).valueSize());
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(BpfLinker.link(LinkObjects.inputs(ABC))));
        Map<String, List<ElfSymbol>> byName = elf.symbols().stream().collect(Collectors.groupingBy(ElfSymbol::name));
        for (String defined : List.of("link_counts", "link_total", "link_helper", "link_pick", "link_fallback")) {
            assertEquals(1, byName.get(defined).size(), defined);
            assertFalse(byName.get(defined).get(0).isUndefined(), defined + " is resolved");
        }
        // link_b's strong link_pick wins over link_a's weak one, and stays strong
        ElfSymbol pick = byName.get("link_pick").get(0);
        assertFalse(pick.isWeak());
        long bText = elf.section(".text").orElseThrow().size();
        assertTrue(pick.value() > 0 && pick.value() < bText);
        // link_fallback is weak in link_a, but link_c's (global) extern makes it strong, as libbpf does
        assertFalse(byName.get("link_fallback").get(0).isWeak());
        assertFalse(byName.get("link_fallback").get(0).isUndefined());
        // static functions of the same name stay apart
        assertEquals(2, byName.get("local_scale").size());
        // the kconfig extern stays an extern
        assertTrue(byName.get("LINUX_KERNEL_VERSION").get(0).isUndefined());
    }

    @Test
    void globalsOfEveryInputShareTheMergedDataSections() {
        BpfObjectSpec linked = open(BpfLinker.link(LinkObjects.inputs(ABC)));
        Map<String, GlobalVariable> globals = linked.globals().stream()
                .collect(Collectors.toMap(GlobalVariable::name, Function.identity()));
        assertEquals(".bss", globals.get("link_total").section());
        assertEquals(0, globals.get("link_total").offset());
        assertEquals(8, globals.get("link_hits_b").offset());
        assertEquals(16, globals.get("link_seen_version").offset());
        assertEquals(".rodata", globals.get("link_factor_a").section());
        assertEquals(List.of(0L, 4L, 8L), List.of(globals.get("link_factor_a").offset(),
                globals.get("link_factor_b").offset(), globals.get("link_factor_c").offset()));
        assertEquals(".data", globals.get("link_pair_a").section());
        byte[] rodata = linked.dataMap(".rodata").orElseThrow().initialData();
        assertEquals(3, rodata[0]);
        assertEquals(5, rodata[4]);
        assertEquals(11, rodata[8]);
        assertTrue(linked.externs().stream().anyMatch(e -> e.name().equals("LINUX_KERNEL_VERSION")));
    }

    @Test
    void btfHasOneFuncPerGlobalAndIdenticalTypesOnce() {
        byte[] linked = BpfLinker.link(LinkObjects.inputs(ABC));
        Btf btf = open(linked).btf().orElseThrow();
        btf.validate();
        assertEquals(1, btf.findAll("link_helper").size(), "the extern FUNC resolved to the definition");
        BtfType.Func helper = (BtfType.Func) btf.findAll("link_helper").get(0);
        assertEquals(BtfType.Func.Linkage.GLOBAL, helper.linkage());
        assertEquals(1, btf.findAll("link_pair").size());
        assertEquals(1, btf.findAll("__sk_buff").size(), "each input's struct __sk_buff collapsed into one");
        BtfType.Datasec bss = btf.datasec(".bss").orElseThrow();
        assertEquals(20, bss.size());
        assertEquals(3, bss.entries().size());
        BtfType.Datasec maps = btf.datasec(".maps").orElseThrow();
        assertEquals(1, maps.entries().size(), "the extern map shares the definition's entry");
        int ints = 0;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.kind(id) == BtfKind.INT && btf.name(id).equals("int")) {
                ints++;
            }
        }
        assertEquals(1, ints);
    }

    /** link_a's extern link_helper(int) has an unnamed parameter; link_b's definition names it. */
    @Test
    void anExternFunctionTakesItsDefinitionsParameterNamesAndSharesItsPrototype() {
        Btf btf = open(BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_b.bpf.o"))).btf().orElseThrow();
        int protos = 0;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.FuncProto p && p.params().size() == 1
                    && btf.name(p.params().get(0).type()).equals("int")) {
                assertEquals("x", p.params().get(0).name());
                protos++;
            }
        }
        assertEquals(1, protos, "one int (int x) prototype");
    }

    @Test
    void kfuncsAndKernelVariablesStayExterns() {
        byte[] linked = BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_b.bpf.o", "link_kfunc.bpf.o"));
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(linked));
        for (String kernel : List.of("bpf_rcu_read_lock", "bpf_rcu_read_unlock", "bpf_prog_active")) {
            List<ElfSymbol> syms = elf.symbols().stream().filter(x -> x.name().equals(kernel)).toList();
            assertEquals(1, syms.size(), kernel);
            assertTrue(syms.get(0).isUndefined(), kernel + " stays an extern");
        }
        Btf btf = open(linked).btf().orElseThrow();
        List<String> ksyms = btf.datasec(".ksyms").orElseThrow().entries().stream()
                .map(e -> btf.name(e.type())).sorted().toList();
        assertEquals(List.of("bpf_prog_active", "bpf_rcu_read_lock", "bpf_rcu_read_unlock"), ksyms);
        assertTrue(open(linked).externs().stream().anyMatch(e -> e.name().equals("bpf_prog_active")));
    }

    @Test
    void extInfoFollowsTheCodeToItsMergedOffset() {
        BpfObjectSpec linked = open(BpfLinker.link(LinkObjects.inputs(ABC)));
        for (ProgramSpec p : linked.programs()) {
            if (p.isSubprogram()) {
                continue;
            }
            assertFalse(p.extInfo().funcInfo().isEmpty(), p.name() + " has func_info");
            assertFalse(p.extInfo().lineInfo().isEmpty(), p.name() + " has line_info");
        }
    }

    @Test
    void anExternNoInputDefinesStaysAnExternAsWithLibbpf() {
        byte[] partial = BpfLinker.link(LinkObjects.inputs("link_bad_extern.bpf.o"));
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(partial));
        ElfSymbol nowhere = elf.symbols().stream().filter(s -> s.name().equals("link_nowhere")).findFirst()
                .orElseThrow();
        assertTrue(nowhere.isUndefined());
        Btf btf = open(partial).btf().orElseThrow();
        BtfType.Func func = (BtfType.Func) btf.findAll("link_nowhere").get(0);
        assertEquals(BtfType.Func.Linkage.EXTERN, func.linkage());
    }

    /** A partial link (externs left for later), then the final one, as with bpftool gen object in stages. */
    @Test
    void aPartialLinkLinksAgainWithTheDefinitionsLater() {
        byte[] partialB = BpfLinker.link(LinkObjects.inputs("link_b.bpf.o"));
        ElfFile partialElf = ElfFile.parse(MemorySegment.ofArray(partialB));
        for (String extern : List.of("link_counts", "link_total")) {
            assertTrue(partialElf.symbols().stream().anyMatch(s -> s.name().equals(extern) && s.isUndefined()),
                    extern + " stays undefined");
        }
        List<BpfLinker.Input> staged = new java.util.ArrayList<>(LinkObjects.inputs("link_a.bpf.o"));
        staged.add(new BpfLinker.Input("partial_b.bpf.o", partialB));
        BpfObjectSpec inStages = open(BpfLinker.link(staged));
        BpfObjectSpec atOnce = open(BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_b.bpf.o")));
        assertEquals(summary(atOnce), summary(inStages));
    }

    private static List<String> summary(BpfObjectSpec spec) {
        List<String> lines = new java.util.ArrayList<>();
        spec.programs().forEach(p -> lines.add("prog " + p.name() + " " + p.section() + " " + p.instructionCount()));
        spec.maps().forEach(m -> lines.add("map " + m.name() + " " + m.mapType() + " " + m.keySize() + "/"
                + m.valueSize() + " x" + m.maxEntries()));
        spec.globals().forEach(g -> lines.add("global " + g.name() + " " + g.section() + "+" + g.offset()));
        lines.sort(null);
        return lines;
    }

    @Test
    void twoStrongDefinitionsAreRefusedNamingBothFiles() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_b.bpf.o", "link_dup.bpf.o")));
        assertTrue(e.getMessage().contains("'link_helper'"), e.getMessage());
        assertTrue(e.getMessage().contains("link_dup.bpf.o") && e.getMessage().contains("link_b.bpf.o"),
                e.getMessage());
    }

    @Test
    void mapsDeclaredDifferentlyAreRefusedNamingBothFiles() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_conflict.bpf.o")));
        assertTrue(e.getMessage().contains("map 'link_counts'"), e.getMessage());
        assertTrue(e.getMessage().contains("link_a.bpf.o") && e.getMessage().contains("link_conflict.bpf.o"),
                e.getMessage());
        assertTrue(e.getMessage().contains("max_entries=8") && e.getMessage().contains("max_entries=4"),
                e.getMessage());
    }

    @Test
    void aMapDeclaredWithItsFieldsInAnotherOrderIsTheSameMap() {
        BpfObjectSpec linked = open(BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_b.bpf.o",
                "link_reordered.bpf.o")));
        assertEquals(1, linked.maps().stream().filter(m -> m.name().equals("link_counts")).count());
        assertTrue(linked.program("link_entry_reordered").isPresent());
    }

    @Test
    void anExternOfAnotherTypeThanItsDefinitionIsRefused() {
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BpfLinker.link(LinkObjects.inputs("link_a.bpf.o", "link_mistyped.bpf.o")));
        assertTrue(e.getMessage().contains("'link_total'") && e.getMessage().contains("link_mistyped.bpf.o")
                && e.getMessage().contains("link_a.bpf.o"), e.getMessage());
    }

    /**
     * An extern map resolved by a later input's definition: its BTF entry moves to where the
     * definition is (libbpf 1.5's linker leaves it at the extern's offset 0, overlapping the
     * first map, and libbpf then cannot open its own output).
     */
    @Test
    void anExternMapResolvedLaterSitsWhereItsDefinitionIs() {
        byte[] linked = BpfLinker.link(LinkObjects.inputs("link_d.bpf.o", "link_e.bpf.o"));
        ElfFile elf = ElfFile.parse(MemorySegment.ofArray(linked));
        Btf btf = open(linked).btf().orElseThrow();
        BtfType.Datasec maps = btf.datasec(".maps").orElseThrow();
        assertEquals(3, maps.entries().size());
        long end = 0;
        for (BtfType.DatasecEntry e : maps.entries()) {
            String name = btf.name(e.type());
            ElfSymbol sym = elf.symbols().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            assertEquals(sym.value(), e.offset(), name);
            assertTrue(e.offset() >= end, name + " does not overlap the map before it");
            end = e.offset() + e.size();
        }
        BpfObjectSpec spec = open(linked);
        assertEquals(2, spec.map("link_e_map").orElseThrow().maxEntries());
        assertEquals(3, spec.map("link_e_first").orElseThrow().maxEntries());
    }

    @Test
    void aNonBpfElfIsRefused() throws Exception {
        byte[] self = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/exe"));
        ObjectFormatException e = assertThrows(ObjectFormatException.class,
                () -> BpfLinker.link(List.of(new BpfLinker.Input("java", self))));
        assertTrue(e.getMessage().contains("java") && e.getMessage().contains("EM_BPF"), e.getMessage());
        ObjectFormatException text = assertThrows(ObjectFormatException.class,
                () -> BpfLinker.link(List.of(new BpfLinker.Input("notes.txt", "hello".getBytes()))));
        assertTrue(text.getMessage().contains("notes.txt"), text.getMessage());
    }

    @Test
    void everyTruncationOfAnInputIsAFormatErrorNamingTheFile() {
        byte[] whole = LinkObjects.inputs("link_b.bpf.o").get(0).bytes();
        byte[] a = LinkObjects.inputs("link_a.bpf.o").get(0).bytes();
        for (int len = 0; len < whole.length; len += 7) {
            byte[] cut = Arrays.copyOf(whole, len);
            try {
                BpfLinker.link(List.of(new BpfLinker.Input("link_a.bpf.o", a), new BpfLinker.Input("cut.bpf.o", cut)));
            } catch (ObjectFormatException e) {
                assertTrue(e.getMessage().contains("cut.bpf.o"), len + ": " + e.getMessage());
            }
        }
    }

    @Test
    void linkingIsDeterministicAndRelinkingTheOutputKeepsItsPrograms() {
        byte[] once = BpfLinker.link(LinkObjects.inputs(ABC));
        assertTrue(Arrays.equals(once, BpfLinker.link(LinkObjects.inputs(ABC))));
        byte[] again = BpfLinker.link(List.of(new BpfLinker.Input("linked.bpf.o", once)));
        assertEquals(open(once).programs().stream().map(ProgramSpec::name).sorted().toList(),
                open(again).programs().stream().map(ProgramSpec::name).sorted().toList());
    }
}
