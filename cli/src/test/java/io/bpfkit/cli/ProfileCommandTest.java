package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code bpfkit profile} on a shell spinning in a loop: folded stacks on standard output, an SVG
 * flame graph that is well-formed XML, JSON; bad arguments and a process that does not exist.
 */
@KernelTest
class ProfileCommandTest {
    @TempDir
    Path dir;

    private static Process spinner() throws Exception {
        return new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    }

    @Test
    void foldedStacksOfAProcessOnStandardOutput() throws Exception {
        Process p = spinner();
        try {
            MainTest.Run r = MainTest.run("profile", "--pid", Long.toString(p.pid()), "--frequency", "999",
                    "--duration", "0.5", "--user");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().matches("(?s).*bpfkit profile: [0-9]+ samples in [0-9]+ stacks \\(cpu-clock at 999 Hz, [0-9.]+ s, process "
                    + p.pid() + "\\)(; .*)?\n.*"), r.err());
            for (String line : r.out().lines().toList()) {
                // command;frames... count, user frames only
                assertTrue(line.matches("sh;[^ ].* [0-9]+") || line.matches("sh [0-9]+"), line);
                assertTrue(!line.contains("_[k]"), line);
            }
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aFlameGraphSvgAndJson() throws Exception {
        Process p = spinner();
        try {
            Path svg = dir.resolve("flame.svg");
            MainTest.Run r = MainTest.run("profile", "--pid", Long.toString(p.pid()), "--frequency", "999",
                    "--duration", "0.5", "--output", svg.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().endsWith("bpfkit profile: wrote " + svg + "\n"), r.err());
            byte[] bytes = Files.readAllBytes(svg);
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
            assertEquals("svg", doc.getDocumentElement().getNodeName());
            assertTrue(new String(bytes).contains("CPU profile: cpu-clock, 999 Hz"), "titled");
            Path json = dir.resolve("p.json");
            r = MainTest.run("profile", "--pid", Long.toString(p.pid()), "--duration", "0.3", "--output", json.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(Files.readString(json).startsWith("{\"schema\":\"bpfkit.profile/1\",\"event\":\"cpu-clock\","
                    + "\"frequency\":99,\"pid\":" + p.pid() + ","), Files.readString(json));
            JsonValue.parse(Files.readString(json));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void badArgumentsAndAMissingProcess() {
        for (List<String> args : List.of(List.of("--kernel", "--user"), List.of("--pid", "x"), List.of("--frequency", "0"),
                List.of("--duration", "-1"), List.of("--output", "a.png"), List.of("--bogus"), List.of("--pid"))) {
            MainTest.Run r = MainTest.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("profile"),
                    args.stream()).toArray(String[]::new));
            assertEquals(2, r.exit(), args + ": " + r.err());
            assertTrue(r.err().startsWith("bpfkit profile: "), r.err());
        }
        MainTest.Run r = MainTest.run("profile", "--output", "a.png");
        assertTrue(r.err().contains("write .folded or .txt (folded stacks), .svg (flame graph) or .json"), r.err());
        r = MainTest.run("profile", "--pid", "999999999", "--duration", "1");
        assertEquals(1, r.exit());
        assertEquals("bpfkit profile: no process 999999999 to profile (/proc/999999999 does not exist)\n", r.err());
    }
}
