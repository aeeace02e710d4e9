package io.bpfkit.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.btf.BtfFiles;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed constant classes of {@code io.bpfkit.uapi} against what {@link UapiGenerator}
 * resolves on this machine: the running kernel's BTF and the UAPI headers under
 * {@code -Dbpfkit.uapiInclude} ({@code scripts/test} passes linux-source-6.12's
 * {@code headers_install} output; without it, {@code /usr/include}).
 *
 * <p>Every name the sources resolve must have its committed value, so a hand edit of a
 * generated file or a kernel that renumbers something fails here. Names the sources do not
 * resolve are listed; in CI ({@code bpfkit.kernelTests=require}) each must be pinned in
 * {@code names.txt} with where its value comes from, so nothing is skipped silently.
 */
class UapiGeneratedTest {
    private static final Path ROOT = Path.of("..");

    @TempDir
    Path tmp;

    private static List<UapiGenerator.ClassSpec> classes() throws IOException {
        return UapiGenerator.parse(Files.readAllLines(ROOT.resolve(UapiGenerator.NAMES)));
    }

    @Test
    void committedClassesHaveExactlyTheListedNames() throws Exception {
        List<String> problems = new ArrayList<>();
        for (UapiGenerator.ClassSpec cs : classes()) {
            Class<?> c = Class.forName("io.bpfkit.uapi." + cs.name());
            Set<String> fields = Arrays.stream(c.getDeclaredFields())
                    .filter(f -> Modifier.isStatic(f.getModifiers()) && !f.isSynthetic())
                    .map(Field::getName).collect(Collectors.toCollection(TreeSet::new));
            Set<String> listed = cs.names().stream().map(UapiGenerator.Name::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!fields.equals(listed)) {
                problems.add(cs.name() + ": fields " + fields + " but names.txt lists " + listed);
            }
            for (UapiGenerator.Name n : cs.names()) {
                Field f = c.getField(n.name());
                if (!f.getType().getName().equals(n.javaType())) {
                    problems.add(cs.name() + "." + n.name() + " is " + f.getType() + ", names.txt says " + n.javaType());
                }
            }
        }
        assertEquals(List.of(), problems, "run scripts/gen-uapi after editing names.txt");
    }

    @Test
    void committedValuesAreWhatThisMachinesSourcesSay() throws Exception {
        Tools.assumePresent(Files.isReadable(KernelBtf.VMLINUX), "no kernel BTF at " + KernelBtf.VMLINUX);
        Path cc = Tools.find("cc", "gcc", "clang");
        Tools.assumePresent(cc != null, "no C compiler (Debian: apt-get install gcc)");
        String property = System.getProperty("bpfkit.uapiInclude", "");
        Path include = property.isEmpty() ? Path.of("/usr/include") : Path.of(property);
        Tools.assumePresent(Files.exists(include.resolve("linux/bpf.h")), "no UAPI headers under " + include
                + " (scripts/test passes -Dbpfkit.uapiInclude from scripts/kernel-source --print-uapi-dir)");
        List<UapiGenerator.ClassSpec> classes = classes();
        UapiGenerator.Resolution r = UapiGenerator.resolve(classes, BtfFiles.read(KernelBtf.VMLINUX), cc, include,
                tmp);
        List<String> problems = new ArrayList<>(r.conflicts());
        List<String> unresolved = new ArrayList<>();
        int compared = 0;
        for (UapiGenerator.ClassSpec cs : classes) {
            Class<?> c = Class.forName("io.bpfkit.uapi." + cs.name());
            for (UapiGenerator.Name n : cs.names()) {
                long committed = ((Number) c.getField(n.name()).get(null)).longValue();
                if (n.javaType().equals("int")) {
                    committed &= 0xffff_ffffL;
                }
                Long found = r.btf().containsKey(n.name()) ? r.btf().get(n.name()) : r.headers().get(n.name());
                if (found == null) {
                    if (n.pinned() == null) {
                        unresolved.add(cs.name() + "." + n.name());
                    }
                    continue;
                }
                compared++;
                long expected = n.javaType().equals("int") ? found & 0xffff_ffffL : found;
                if (expected != committed) {
                    problems.add(cs.name() + "." + n.name() + ": committed " + committed + ", this machine's sources "
                            + expected + " (run scripts/gen-uapi and look at the difference)");
                }
            }
        }
        System.out.println("uapi: " + compared + " names compared (" + r.btf().size() + " in the BTF, "
                + r.headers().size() + " in the headers under " + include + "); pinned in names.txt: "
                + pinned(classes) + "; unresolved: " + unresolved);
        if (KernelTestExtension.required()) {
            problems.addAll(unresolved.stream().map(u -> u + ": in neither source here and not pinned in names.txt")
                    .toList());
        }
        assertEquals(List.of(), problems);
        assertTrue(compared > 250, "only " + compared + " names compared");
    }

    @Test
    void generatorWritesTheCommittedFilesByteForByte() throws Exception {
        List<UapiGenerator.ClassSpec> classes = classes();
        // the committed values, as the generator would resolve them, with the committed header line
        Map<String, Long> values = new java.util.TreeMap<>();
        for (UapiGenerator.ClassSpec cs : classes) {
            Class<?> c = Class.forName("io.bpfkit.uapi." + cs.name());
            for (UapiGenerator.Name n : cs.names()) {
                if (n.pinned() == null) {
                    long v = ((Number) c.getField(n.name()).get(null)).longValue();
                    values.put(n.name(), n.javaType().equals("int") ? v & 0xffff_ffffL : v);
                }
            }
        }
        UapiGenerator.Resolution r = new UapiGenerator.Resolution(values, Map.of(), List.of());
        Path dir = ROOT.resolve(UapiGenerator.OUT);
        for (Map.Entry<String, String> f : UapiGenerator.generate(classes, r, "SOURCES").entrySet()) {
            List<String> committed = Files.readAllLines(dir.resolve(f.getKey()));
            String sources = committed.get(1).substring(3, committed.get(1).length() - ". Do not edit.".length());
            String expected = f.getValue().replace("SOURCES", sources);
            assertEquals(expected, Files.readString(dir.resolve(f.getKey())), f.getKey() + " was edited by hand");
        }
    }

    private static List<String> pinned(List<UapiGenerator.ClassSpec> classes) {
        return classes.stream().flatMap(c -> c.names().stream()).filter(n -> n.pinned() != null)
                .map(UapiGenerator.Name::name).toList();
    }
}
