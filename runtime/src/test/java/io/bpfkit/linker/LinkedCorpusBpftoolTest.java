package io.bpfkit.linker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.MapSpec;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static linker on real objects: bcc's libbpf-tools as Debian ships them
 * ({@code scripts/libbpf-tools}), each alone and each with the next in name order, linked by
 * bpfkit and by bpftool 7.5 ({@code bpfkit.bpftool75}, built by {@code scripts/kernel-source}).
 * Both refuse the same sets (two tools define the same strong global, declare a map differently
 * or have different licenses); where both link, the objects have the same programs (section,
 * offset, instruction count, CO-RE relocations), the same maps and the same BTF modulo type ids
 * ({@code bpftool btf dump file}). Debian's bpftool 7.1 differs in one place only: its libbpf
 * keeps a FWD that a struct of the same name resolves, which libbpf 1.5 and bpfkit resolve.
 */
class LinkedCorpusBpftoolTest {
    @TempDir
    Path dir;

    private static Path bpftool75() {
        String named = System.getProperty("bpfkit.bpftool75");
        if (named == null || named.isBlank()) {
            named = System.getenv("BPFKIT_BPFTOOL75");
        }
        if (named == null || named.isBlank() || !Files.isExecutable(Path.of(named))) {
            String why = "no bpftool 7.5 to compare with: set bpfkit.bpftool75 (scripts/test passes"
                    + " scripts/kernel-source --print-bpftool)";
            if (KernelTestExtension.required()) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return Path.of(named);
    }

    private static List<Path> libbpfTools() throws Exception {
        Path root = Path.of(System.getProperty("bpfkit.root"));
        Process p = new ProcessBuilder(root.resolve("scripts/libbpf-tools").toString(), "--print-dir")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "scripts/libbpf-tools --print-dir");
        try (Stream<Path> s = Files.list(Path.of(out))) {
            return s.filter(x -> x.toString().endsWith(".bpf.o")).sorted().toList();
        }
    }

    @Test
    void linksWhatBpftoolLinksAndRefusesWhatItRefuses() throws Exception {
        Path bpftool = bpftool75();
        List<Path> objects = libbpfTools();
        assertTrue(objects.size() > 50, "libbpf-tools objects: " + objects.size());
        List<List<Path>> sets = new ArrayList<>();
        objects.forEach(o -> sets.add(List.of(o)));
        for (int i = 0; i + 1 < objects.size(); i++) {
            sets.add(List.of(objects.get(i), objects.get(i + 1)));
        }
        Path theirs = Files.createDirectories(dir.resolve("bpftool")).resolve("linked.bpf.o");
        Path ours = Files.createDirectories(dir.resolve("bpfkit")).resolve("linked.bpf.o");
        int linked = 0;
        List<String> problems = new ArrayList<>();
        for (List<Path> set : sets) {
            String name = set.stream().map(p -> p.getFileName().toString()).toList().toString();
            Files.deleteIfExists(theirs);
            List<String> cmd = new ArrayList<>(List.of(bpftool.toString(), "gen", "object", theirs.toString()));
            set.forEach(p -> cmd.add(p.toString()));
            Tools.Result r = Tools.run(60, cmd.toArray(String[]::new));
            String refused = null;
            try {
                Files.write(ours, BpfLinker.linkFiles(set));
            } catch (ObjectFormatException e) {
                refused = e.getMessage();
            }
            if ((r.exitCode() == 0) != (refused == null)) {
                problems.add(name + ": bpftool exit " + r.exitCode() + " " + r.stderr().strip() + "; bpfkit: " + refused);
                continue;
            }
            if (refused != null) {
                continue;
            }
            linked++;
            if (!describe(theirs).equals(describe(ours))) {
                problems.add(name + ": programs or maps differ:\n  " + describe(theirs) + "\n  " + describe(ours));
            } else if (!btfLines(bpftool, theirs).equals(btfLines(bpftool, ours))) {
                problems.add(name + ": BTF differs");
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(linked >= objects.size(), "every object links alone, and some pairs: " + linked);
    }

    private static String describe(Path object) {
        BpfObjectSpec spec = BpfObjects.open(object);
        StringBuilder sb = new StringBuilder();
        spec.programs().stream().sorted(Comparator.comparing(ProgramSpec::section).thenComparing(ProgramSpec::name))
                .forEach(p -> sb.append(p.section()).append(':').append(p.name()).append('+').append(p.sectionOffset())
                        .append('/').append(p.instructionCount()).append(" core=")
                        .append(p.extInfo().coreRelocations().size()).append(", "));
        spec.maps().stream().sorted(Comparator.comparing(MapSpec::name))
                .forEach(m -> sb.append(m.name()).append('=').append(m.mapType()).append(' ').append(m.keySize())
                        .append('/').append(m.valueSize()).append('x').append(m.maxEntries()).append(", "));
        return sb.toString();
    }

    private static List<String> btfLines(Path bpftool, Path object) {
        Tools.Result r = Tools.run(60, bpftool.toString(), "btf", "dump", "file", object.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            lines.add(line.replaceFirst("^\\[\\d+\\] ", "").replaceAll("type_id=\\d+", "type_id=#"));
        }
        lines.sort(null);
        return lines;
    }
}
