package io.bpfkit.examples.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.examples.ToolRunner;
import io.bpfkit.testing.KernelTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * bpfkit jvm for real: a child JVM calls System.gc() N times and loads classes; the tool,
 * watching that process or every JVM (the child then starting after the tool), reports at
 * least N GCs and the classes in its final JSON.
 */
@KernelTest
class JvmWatchTest {
    private static final int GCS = 5;
    private static final int CLASSES = 20;

    static ProcessBuilder child(String... extra) {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = Path.of(GcChild.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin.toString(), "-Xshare:auto",
                "-cp", cp, GcChild.class.getName(), Integer.toString(GCS), Integer.toString(CLASSES)));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** The final JSON object's entry of {@code pid}. */
    static String finalEntry(String out, long pid) {
        String last = out.lines().filter(l -> l.startsWith("{\"schema\":\"bpfkit.jvm/1\",\"final\":true")).findFirst()
                .orElseThrow(() -> new AssertionError("no final line: " + out));
        Matcher m = Pattern.compile("\\{\"pid\":" + pid + ",.*?\"monitorContended\":(\\d+|\\{[^}]*\\})\\}")
                .matcher(last);
        assertTrue(m.find(), "pid " + pid + " is not in " + last);
        return m.group();
    }

    static long number(String entry, String path) {
        Matcher m = Pattern.compile(path).matcher(entry);
        assertTrue(m.find(), path + " in " + entry);
        return Long.parseLong(m.group(1));
    }

    static void checkCounts(String entry) {
        assertTrue(number(entry, "\"gc\":\\{\"count\":(\\d+)") >= GCS, entry);
        assertTrue(number(entry, "\"classes\":\\{\"loaded\":(\\d+)") >= CLASSES, entry);
        assertTrue(number(entry, "\"threads\":\\{\"started\":(\\d+)") >= 1, entry);
        assertTrue(number(entry, "\"pauseNs\":(\\d+)") > 0, entry);
        assertTrue(entry.contains("\"monitorContended\":{\"unavailable\":\"needs -XX:+ExtendedDTraceProbes\"}"), entry);
    }

    @Test
    void watchingOneJvmSeesItsGcsAndClasses() throws Exception {
        Process p = child().start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", in.readLine());
            ToolRunner.Output o = ToolRunner.runUntilDone(JvmWatch::run, () -> {
                OutputStream go = p.getOutputStream();
                go.write('\n');
                go.flush();
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
                assertEquals(0, p.exitValue());
            }, "--pid", Long.toString(p.pid()), "--json", "--duration", "600");
            checkCounts(finalEntry(o.out(), p.pid()));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aJvmStartedAfterTheToolIsPickedUp() throws Exception {
        long[] pid = new long[1];
        ToolRunner.Output o = ToolRunner.runUntilDone(JvmWatch::run, () -> {
            Process p = child("now").start();
            pid[0] = p.pid();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
            assertEquals(0, p.exitValue());
        }, "--json", "--duration", "600", "--interval", "0.5");
        String entry = finalEntry(o.out(), pid[0]);
        checkCounts(entry);
        assertTrue(entry.contains("\"alive\":false"), entry);
    }

    @Test
    void aProcessThatIsNotAJvmAndBadArguments() {
        ToolRunner.Output o = ToolRunner.runOnly(JvmWatch::run, "--pid", "1", "--duration", "1");
        assertEquals(1, o.exitCode());
        assertTrue(o.err().contains("process 1 is not a JVM (it maps no libjvm.so)"), o.err());
        ToolRunner.Output help = ToolRunner.runOnly(JvmWatch::run, "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("-XX:+ExtendedDTraceProbes"), help.out());
        ToolRunner.Output bad = ToolRunner.runOnly(JvmWatch::run, "--pid", "x");
        assertEquals(2, bad.exitCode());
    }
}
