package io.bpfkit.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The system-call layer stays inside bpfkit: the runtime module exports {@code io.bpfkit.sys} to
 * the command line and the benchmarks only, never to everyone (it holds a segment over all memory
 * and raw bpf(2)). That no public signature of an exported package names a {@code sys} type is
 * javac's check ({@code -Xlint:exports} under {@code -Werror}).
 */
class SysNotExportedTest {
    @Test
    void sysIsExportedToBpfkitsOwnModulesOnly() throws IOException, URISyntaxException {
        Path classes = Path.of(Bpf.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("io.bpfkit.runtime", d.name());
        Exports sys = d.exports().stream().filter(e -> e.source().equals("io.bpfkit.sys")).findFirst().orElseThrow();
        assertEquals(Set.of("io.bpfkit.cli", "io.bpfkit.bench"), sys.targets(), "qualified export only");
        List<String> open = d.exports().stream().filter(e -> !e.isQualified()).map(Exports::source).sorted().toList();
        assertFalse(open.contains("io.bpfkit.sys"));
        assertEquals(List.of("io.bpfkit.binding", "io.bpfkit.events", "io.bpfkit.feature", "io.bpfkit.link",
                "io.bpfkit.load", "io.bpfkit.map", "io.bpfkit.netlink", "io.bpfkit.pmu", "io.bpfkit.run"), open);
    }
}
