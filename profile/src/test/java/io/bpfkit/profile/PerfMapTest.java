package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Perf maps: one a real JVM wrote at exit, text with overlapping and malformed lines, reloading. */
class PerfMapTest {
    @TempDir
    Path dir;

    @Test
    void readsThePerfMapAJvmWritesAtExit() throws Exception {
        Process p = new ProcessBuilder(TestPrograms.java(), "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit",
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), HotJava.class.getName(), "1.5")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Path file = Path.of("/tmp/perf-" + p.pid() + ".map");
        try {
            PerfMap map = PerfMap.read(file);
            List<String> lines = Files.readAllLines(file);
            assertEquals(lines.size(), map.size());
            int methods = 0;
            for (String line : lines) {
                // "0x00007f... 0x00000000000000b8 long io.bpfkit.profile.HotJava.bpfkitHotLoop(long)"
                String[] f = line.split(" ", 3);
                long start = Long.decode(f[0]);
                long size = Long.decode(f[1]);
                PerfMap.Entry e = map.lookup(start + size / 2).orElseThrow(() -> new AssertionError(line));
                assertTrue(e.contains(start + size / 2), line + " -> " + e);
                if (map.entries().stream().filter(o -> o.contains(start + size / 2)).count() == 1) {
                    assertEquals(f[2], e.name(), line);
                }
                methods += f[2].endsWith(")") ? 1 : 0;
            }
            assertTrue(methods > 10, methods + " methods");
            PerfMap.Entry hot = map.entries().stream().filter(e -> e.name().contains("HotJava.bpfkitHotLoop(long)"))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError(lines));
            assertEquals("long io.bpfkit.profile.HotJava.bpfkitHotLoop(long)", hot.name());
            StackSymbolizer.Frame f = StackSymbolizer.javaFrame(hot.name(), hot.start());
            assertEquals("io.bpfkit.profile.HotJava.bpfkitHotLoop_[j]", f.folded());
            PerfMap.Entry interpreter = map.entries().stream().filter(e -> e.name().equals("Interpreter")).findFirst()
                    .orElseThrow(() -> new AssertionError("no Interpreter in " + file));
            assertEquals("Interpreter_[i]", StackSymbolizer.javaFrame(interpreter.name(), interpreter.start()).folded());
            assertSame(map, map.reload(), "unchanged: not read again");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void laterLinesWinOverlapsAndBadLinesAreNamed() throws Exception {
        PerfMap map = PerfMap.parse(new StringReader("""
                0x1000 0x100 old code
                2000 10 Interpreter
                0x1080 0x20 void a.B.c(int)
                """), "test");
        assertEquals("old code", map.lookup(0x1000).orElseThrow().name());
        assertEquals("void a.B.c(int)", map.lookup(0x1090).orElseThrow().name());
        assertEquals("old code", map.lookup(0x10a0).orElseThrow().name());
        assertTrue(map.lookup(0x1100).isEmpty());
        assertTrue(map.lookup(0x0fff).isEmpty());
        assertEquals("Interpreter", map.lookup(0x200f).orElseThrow().name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PerfMap.parse(new StringReader("0x10 0x10 ok\nnot a line\n"), "x.map"));
        assertEquals("perf map x.map line 2: START and SIZE must be hexadecimal: 'not a line'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PerfMap.parse(new StringReader("0x10\n"), "x.map"));
        assertTrue(e.getMessage().startsWith("perf map x.map line 1 is not 'START SIZE name'"), e.getMessage());
        assertThrows(IllegalStateException.class, map::reload);
        assertEquals("native stub", StackSymbolizer.javaFrame("native stub", 0).name());
        assertEquals(FrameKind.NATIVE, StackSymbolizer.javaFrame("StubRoutines (1)", 0).kind());
    }

    @Test
    void reloadReadsAChangedFile() throws Exception {
        Path file = dir.resolve("perf-1.map");
        assertThrows(NoSuchFileException.class, () -> PerfMap.read(file));
        Files.writeString(file, "0x10 0x10 first\n");
        PerfMap first = PerfMap.read(file);
        Files.writeString(file, "0x10 0x10 first\n0x40 0x10 second\n");
        PerfMap second = first.reload();
        assertEquals(2, second.size());
        assertEquals("second", second.lookup(0x45).orElseThrow().name());
        assertEquals(file, second.path().orElseThrow());
    }
}
