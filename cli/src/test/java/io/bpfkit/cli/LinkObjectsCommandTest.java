package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.object.ProgramSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfkit link-objects}: the runtime's link test inputs linked, and refused when they clash. */
class LinkObjectsCommandTest {
    @TempDir
    Path dir;

    private static String input(String name) {
        return Path.of(System.getProperty("bpfkit.linkObjects"), name).toString();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void linksTheInputsIntoOneObjectThatOpens() {
        Path out = dir.resolve("app.bpf.o");
        Run r = run("link-objects", out.toString(), input("link_a.bpf.o"), input("link_b.bpf.o"), input("link_c.bpf.o"));
        assertEquals(0, r.code(), r.err());
        BpfObjectSpec spec = BpfObjects.open(out);
        assertEquals(List.of("link_entry_a", "link_entry_b", "link_entry_c"), spec.programs().stream()
                .filter(p -> !p.isSubprogram()).map(ProgramSpec::name).sorted().toList());
        assertTrue(spec.map("link_counts").isPresent());
    }

    @Test
    void aClashIsReportedWithTheFileAndSymbolAndNothingIsWritten() {
        Path out = dir.resolve("bad.bpf.o");
        Run r = run("link-objects", out.toString(), input("link_a.bpf.o"), input("link_b.bpf.o"), input("link_dup.bpf.o"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("link_dup.bpf.o") && r.err().contains("'link_helper'"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void withoutInputsItPrintsItsUsage() {
        Run r = run("link-objects", dir.resolve("x.o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("usage: bpfkit link-objects OUT IN..."), r.err());
        assertTrue(run("--help").out().contains("link-objects OUT IN..."));
    }
}
