package io.bpfkit.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against the system's libbpf (Debian's libbpf-dev, 1.1 here): a small C
 * program asks {@code libbpf_prog_type_by_name()}, {@code libbpf_attach_type_by_name()} and the
 * {@code libbpf_bpf_*_type_str()} functions, and we compare. libbpf 1.1 predates part of the
 * table (tcx, netkit, uprobe.multi, sleepable tracepoints, ...): names matching those rules are
 * skipped; every other name, known or unknown, must agree. Skipped when gcc or libbpf is missing.
 */
class SectionRulesLibbpfTest {

    /** Rules of current libbpf that libbpf 1.1 does not have (git diff v1.1.2..master of section_defs[]). */
    private static final Set<String> NEWER_THAN_1_1 = Set.of("kprobe.session+", "uprobe.multi+",
            "uretprobe.multi+", "uprobe.session+", "uprobe.multi.s+", "uretprobe.multi.s+", "uprobe.session.s+",
            "usdt.s+", "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress", "netkit/primary", "netkit/peer",
            "tracepoint.s+", "tp.s+", "raw_tracepoint.s+", "raw_tp.s+", "tp_btf.s+", "fsession+", "fsession.s+",
            "fsession.multi+", "fsession.multi.s+", "fentry.multi+", "fexit.multi+", "fentry.multi.s+",
            "fexit.multi.s+", "sk_skb/verdict", "cgroup/connect_unix", "cgroup/sendmsg_unix", "cgroup/recvmsg_unix",
            "cgroup/getpeername_unix", "cgroup/getsockname_unix", "struct_ops.s+", "netfilter");

    private static final String PROBE_C = """
            #include <bpf/libbpf.h>
            #include <stdarg.h>
            #include <stdio.h>
            #include <string.h>

            static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
            {
                return 0;
            }

            int main(int argc, char **argv)
            {
                char line[4096];
                FILE *in = fopen(argv[1], "r");
                if (!in)
                    return 2;
                libbpf_set_print(quiet);
                while (fgets(line, sizeof(line), in)) {
                    enum bpf_prog_type pt = 0;
                    enum bpf_attach_type at = 0, at2 = 0;
                    line[strcspn(line, "\\n")] = 0;
                    int rc = libbpf_prog_type_by_name(line, &pt, &at);
                    int rc2 = libbpf_attach_type_by_name(line, &at2);
                    printf("S %d %d %d %d %d\\n", rc, (int)pt, (int)at, rc2, (int)at2);
                }
                for (int i = 0; i < 64; i++) {
                    const char *s = libbpf_bpf_prog_type_str((enum bpf_prog_type)i);
                    printf("P %d %s\\n", i, s ? s : "-");
                }
                for (int i = 0; i < 128; i++) {
                    const char *s = libbpf_bpf_attach_type_str((enum bpf_attach_type)i);
                    printf("A %d %s\\n", i, s ? s : "-");
                }
                return 0;
            }
            """;

    @Test
    void agreesWithSystemLibbpf(@TempDir Path dir) throws Exception {
        Path exe = compileProbe(dir);
        List<String> names = names();
        Path input = dir.resolve("names.txt");
        Files.write(input, names, StandardCharsets.UTF_8);
        List<String> out = run(List.of(exe.toString(), input.toString()), dir);

        int compared = 0;
        int skipped = 0;
        int line = 0;
        for (String name : names) {
            String[] f = out.get(line++).split(" ");
            assertEquals("S", f[0]);
            int rc = Integer.parseInt(f[1]);
            int pt = Integer.parseInt(f[2]);
            int at = Integer.parseInt(f[3]);
            int rc2 = Integer.parseInt(f[4]);
            int at2 = Integer.parseInt(f[5]);
            Optional<SectionRules.Rule> ours = SectionRules.find(name);
            if (ours.isPresent() && NEWER_THAN_1_1.contains(ours.get().pattern())) {
                skipped++;
                continue;
            }
            compared++;
            if (ours.isEmpty()) {
                assertTrue(rc < 0, () -> "libbpf knows '" + name + "' as type " + pt + ", bpfkit does not");
                continue;
            }
            SectionDef d = SectionRules.resolve(name);
            assertEquals(0, rc, () -> "libbpf does not know '" + name + "'");
            assertEquals(pt, d.programType().value(), () -> "program type of '" + name + "'");
            assertEquals(at, d.expectedAttachTypeValue(), () -> "expected attach type of '" + name + "'");
            boolean attachable = ours.get().has(SectionRules.Flag.ATTACHABLE);
            assertEquals(attachable, rc2 == 0, () -> "libbpf_attach_type_by_name('" + name + "') = " + rc2);
            if (attachable) {
                assertEquals(at2, d.expectedAttachTypeValue(), () -> "attach type by name of '" + name + "'");
            }
        }
        assertTrue(compared > 300, "compared " + compared + " names, skipped " + skipped);

        int names1 = 0;
        for (; line < out.size(); line++) {
            String[] f = out.get(line).split(" ");
            int value = Integer.parseInt(f[1]);
            if (f[2].equals("-")) {
                continue;
            }
            names1++;
            if (f[0].equals("P")) {
                assertEquals(f[2], ProgramType.ofValue(value).orElseThrow().libbpfName(), "prog type " + value);
            } else {
                assertEquals(f[2], AttachType.ofValue(value).orElseThrow().libbpfName(), "attach type " + value);
            }
        }
        assertTrue(names1 > 60, "libbpf named " + names1 + " types");
    }

    /** Every test case of {@link SectionRulesTest}, odd names, and variations of every rule's prefix. */
    private static List<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (SectionRulesTest.Case c : SectionRulesTest.cases()) {
            names.add(c.section());
        }
        String[] tails = {"", "/", "/x", "/x/y", "x", "_x", ".s", ".s/x", "/a:b:c", "/p:f+0x10", "//bin/x:f", "+"};
        for (SectionRules.Rule r : SectionRules.rules()) {
            for (String t : tails) {
                names.add(r.prefix() + t);
            }
            names.add(r.pattern());
        }
        for (String s : new String[] {"", "?xdp", ".text", "license", "xdp_prog", "xdp/foo", "xdp.fragsX", "tc/foo",
                "tcx", "cgroup", "cgroup/skbx", "kprobe__x", "socket/x", "XDP", "sk_skb/x", "struct_opsx"}) {
            names.add(s);
        }
        return new ArrayList<>(names);
    }

    private static Path compileProbe(Path dir) throws Exception {
        Tools.assumePresent(Tools.find("gcc") != null, "gcc is not installed (Debian: apt-get install gcc)");
        Tools.assumePresent(Files.exists(Path.of("/usr/include/bpf/libbpf.h")),
                "libbpf headers are missing (apt-get install libbpf-dev)");
        Path src = dir.resolve("probe.c");
        Path exe = dir.resolve("probe");
        Files.writeString(src, PROBE_C);
        Tools.Result gcc = Tools.run(120, "gcc", "-O1", "-o", exe.toString(), src.toString(), "-lbpf");
        String log = gcc.out() + gcc.stderr();
        if (gcc.exitCode() != 0) {
            Tools.assumePresent(!log.contains("-lbpf") && !log.contains("libbpf.h"),
                    "cannot link against libbpf (apt-get install libbpf-dev): " + log);
            fail("compiling the libbpf probe failed:\n" + log);
        }
        return exe;
    }

    private static List<String> run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " timed out");
        }
        assertEquals(0, p.exitValue(), () -> command + " failed:\n" + out);
        return out.lines().toList();
    }
}
