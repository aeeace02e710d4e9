package io.bpfkit.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.btf.BtfFiles;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.testing.KernelTestExtension;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code BpfLayouts.java} and {@code PerfEventFlags.java} against
 * {@link UapiLayoutGenerator}: each file must be the generator's rendering of its own compiled
 * layouts (no hand edit, on any machine), and on a machine with kernel BTF the generator's
 * layouts from that BTF must be the committed ones, member by member and byte for byte.
 */
class UapiLayoutsGeneratedTest {
    private static final Path ROOT = Path.of("..");

    private static UapiLayoutGenerator.Spec spec() throws IOException {
        return UapiLayoutGenerator.parse(Files.readAllLines(ROOT.resolve(UapiLayoutGenerator.LAYOUTS)));
    }

    /** Each committed file against the rendering of {@code model}, with the committed sources line. */
    private static void assertFilesAreRenderingOf(UapiLayoutGenerator.Spec spec, UapiLayoutGenerator.Model model,
            String why) throws IOException {
        Path dir = ROOT.resolve(UapiGenerator.OUT);
        for (Map.Entry<String, String> f : UapiLayoutGenerator.render(spec, model, "SOURCES").entrySet()) {
            String committed = Files.readString(dir.resolve(f.getKey()));
            String second = committed.lines().skip(1).findFirst().orElse("");
            String sources = second.substring(3, second.length() - ". Do not edit.".length());
            assertEquals(f.getValue().replace("SOURCES", sources), committed, f.getKey() + ": " + why);
        }
    }

    @Test
    void committedFilesAreTheRenderingOfTheirOwnLayouts() throws Exception {
        UapiLayoutGenerator.Spec spec = spec();
        assertFilesAreRenderingOf(spec, UapiLayoutGenerator.fromClasses(spec),
                "edited by hand (or layouts.txt changed without scripts/gen-uapi)");
    }

    @Test
    void committedLayoutsAreWhatThisKernelsBtfSays() throws Exception {
        Tools.assumePresent(Files.isReadable(KernelBtf.VMLINUX), "no kernel BTF at " + KernelBtf.VMLINUX);
        UapiLayoutGenerator.Spec spec = spec();
        UapiLayoutGenerator.Model fromBtf;
        try {
            fromBtf = UapiLayoutGenerator.fromBtf(spec, BtfFiles.read(KernelBtf.VMLINUX));
        } catch (IllegalArgumentException e) {
            // a kernel older than the one the files were generated from lacks members they use
            String why = "this kernel's BTF cannot give every layout of layouts.txt: " + e.getMessage();
            if (KernelTestExtension.required()) {
                throw new AssertionError(why, e);
            }
            Tools.assumePresent(false, why);
            return;
        }
        UapiLayoutGenerator.Model committed = UapiLayoutGenerator.fromClasses(spec);
        List<String> problems = new ArrayList<>();
        fromBtf.layouts().forEach((name, slots) -> {
            if (!slots.equals(committed.layouts().get(name))) {
                problems.add(name + ": BTF " + slots + "\n    committed " + committed.layouts().get(name));
            }
        });
        fromBtf.bits().forEach((name, bits) -> {
            if (!bits.equals(committed.bits().get(name))) {
                problems.add(name + ": BTF " + bits + "\n    committed " + committed.bits().get(name));
            }
        });
        assertEquals(List.of(), problems, "run scripts/gen-uapi and look at the difference");
        assertFilesAreRenderingOf(spec, fromBtf, "not what scripts/gen-uapi writes from this kernel's BTF");
        System.out.println("uapi layouts: " + fromBtf.layouts().size() + " layouts and "
                + fromBtf.bits().values().stream().mapToInt(List::size).sum() + " bit fields from the BTF at "
                + KernelBtf.VMLINUX + " match the committed files");
    }
}
