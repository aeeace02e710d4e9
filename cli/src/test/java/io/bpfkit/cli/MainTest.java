package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: output, exit codes, and one line per bad file. */
class MainTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inspectTableShowsProgramsMapsAndGlobals() {
        Run r = run("inspect", TestObjects.path("globals.bpf.o").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("object 'globals', license 'GPL', little-endian"), r.out());
        assertTrue(r.out().matches("(?s).*update_globals\\s+syscall\\s+syscall.*"), r.out());
        assertTrue(r.out().matches("(?s).*globals\\.rodata\\s+array\\s+4\\s+40\\s+1\\s+0x480.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\.bss\\s+bss_static\\s+40\\s+8\\s+__u64\\s+static.*"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void inspectJsonFollowsTheDocumentedSchema() {
        Run r = run("inspect", "--json", TestObjects.path("programs.bpf.o").toString());
        assertEquals(0, r.exit(), r.err());
        String json = r.out();
        assertTrue(json.startsWith("{\"schema\":\"bpfkit.inspect/1\",\"objects\":[{\"file\":"), json);
        assertTrue(json.contains("{\"name\":\"getpid_a\",\"section\":\"tp/syscalls/sys_enter_getpid\","
                + "\"type\":\"tracepoint\",\"attachType\":null,\"attachTo\":\"syscalls/sys_enter_getpid\","
                + "\"instructions\":4,\"subprogram\":false,\"autoload\":true,"), json);
        assertTrue(json.contains("{\"name\":\"btf_enter\",\"section\":\"tp_btf/sys_enter\",\"type\":\"tracing\","
                + "\"attachType\":\"trace_raw_tp\",\"attachTo\":\"sys_enter\""), json);
        assertTrue(json.contains("\"name\":\"programs.bss\",\"type\":\"array\",\"keySize\":4,\"valueSize\":136,"
                + "\"maxEntries\":1,\"flags\":1024,\"keyType\":null,\"valueType\":\"datasec .bss\""), json);
        assertTrue(json.contains("\"globals\":[{\"section\":\".bss\",\"name\":\"hits\",\"offset\":0,\"size\":128,"
                + "\"type\":\"__u64[16]\",\"linkage\":\"global\"}"), json);
        assertTrue(json.contains("\"license\":\"GPL\""), json);
        assertValidJson(json);
    }

    @Test
    void inspectDirectoryOpensEveryObject() {
        Run r = run("inspect", "--json", TestObjects.dir().toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(TestObjects.all().size(), r.out().split("\"file\":").length - 1);
    }

    @Test
    void badFilesGiveOneLineEachAndExitOne(@TempDir Path tmp) throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.o"), "not an object");
        Path truncated = Files.write(tmp.resolve("cut.o"), java.util.Arrays.copyOf(
                TestObjects.bytes("maps_btf.bpf.o"), 200));
        Run r = run("inspect", junk.toString(), TestObjects.path("core.bpf.o").toString(), truncated.toString(),
                tmp.resolve("missing.o").toString());
        assertEquals(1, r.exit());
        List<String> lines = r.err().lines().toList();
        assertEquals(3, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("bpfkit: " + junk + ": ") && lines.get(0).contains("too short for an ELF64 header"), lines.get(0));
        assertTrue(lines.get(1).startsWith("bpfkit: " + truncated + ": "), lines.get(1));
        assertTrue(lines.get(2).contains("missing.o") && lines.get(2).contains("no such file"), lines.get(2));
        assertTrue(r.out().contains("object 'core'"), "the good file is still shown");
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run().exit());
        assertEquals(2, run("frobnicate").exit());
        assertEquals(2, run("inspect", "--bogus").exit());
        assertEquals(0, run("--help").exit());
    }

    @Test
    void btfDumpMatchesBpftoolForAnObject() {
        Path bpftool = Tools.find("bpftool", "/usr/sbin/bpftool");
        Tools.assumePresent(bpftool != null, "bpftool is not installed (Debian: apt-get install bpftool)");
        String file = TestObjects.path("core.bpf.o").toString();
        Run r = run("btf", "dump", file);
        assertEquals(0, r.exit(), r.err());
        assertEquals(Tools.run(60, bpftool.toString(), "btf", "dump", "file", file).out(), r.out());
    }

    /** A small structural check: balanced brackets outside strings, no trailing commas. */
    private static void assertValidJson(String json) {
        int depth = 0;
        boolean inString = false;
        char prev = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '"' && prev != '\\') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                assertTrue(prev != ',', "trailing comma at " + i);
            }
            prev = c;
        }
        assertEquals(0, depth);
    }
}
