package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.KernelBtf;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.testing.HostFeatures;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.PinRoot;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The load phase against libbpf's, for every test object the build makes: where libbpf loads
 * it, every program loaded by bpfkit and by the current libbpf (built from the kernel tree by
 * {@code scripts/kernel-source}, see {@link Tools#compileAgainstLibbpf}) has the same
 * translated instructions in the kernel ({@code BPF_OBJ_GET_INFO_BY_FD}), map references named
 * rather than numbered; where it cannot, {@link #plan} says why in one line, and that reason is
 * checked too (both refuse the object, or only libbpf does).
 */
@KernelTest
class LibbpfLoadDifferentialTest {
    private static Path dumper;

    @BeforeAll
    static void compileDumper(@TempDir Path tmp) {
        dumper = Tools.compileAgainstLibbpf("libbpf_load_dump.c", tmp);
    }

    /** What the test does with an object. */
    enum Mode {
        /** Both load it (but the listed programs): the same translated instructions. */
        SAME_INSTRUCTIONS,
        /** Neither loads it, by design: both refuse, with the same errno where the kernel refused. */
        BOTH_REFUSE,
        /** bpfkit loads what this libbpf cannot. */
        ONLY_BPFKIT_LOADS
    }

    /**
     * One object: the mode, the programs left out of both loads, why (one line), and whether the
     * mode depends on what the running kernel has.
     */
    record Plan(String object, Mode mode, List<String> skipped, String why, boolean probed) {
        Plan(String object, Mode mode, List<String> skipped, String why) {
            this(object, mode, skipped, why, false);
        }

        @Override
        public String toString() {
            return object + ": " + mode + (why.isEmpty() ? "" : " (" + why + ")");
        }
    }

    /** The plan for one object; an object this does not name is compared in full. */
    static Plan plan(String object) {
        return switch (object) {
            case "verifier_reject.bpf.o" -> new Plan(object, Mode.SAME_INSTRUCTIONS, List.of("unchecked"),
                    "'unchecked' is there for the verifier to reject");
            case "unknown_section.bpf.o" -> new Plan(object, Mode.SAME_INSTRUCTIONS, List.of("mystery"),
                    "no loader knows the section of 'mystery' without being told its type");
            case "maps_legacy.bpf.o" -> new Plan(object, Mode.ONLY_BPFKIT_LOADS, List.of(),
                    "libbpf 1.x refuses a legacy \"maps\" section at open");
            case "globals.bpfeb.o", "programs.bpfeb.o" -> new Plan(object, Mode.BOTH_REFUSE, List.of(),
                    "big-endian: no loader loads it into a little-endian kernel");
            case "kconfig_strong.bpf.o" -> new Plan(object, Mode.BOTH_REFUSE, List.of(),
                    "a strong .kconfig extern no kernel has");
            case "core_poison.bpf.o" -> new Plan(object, Mode.BOTH_REFUSE, List.of(),
                    "an unguarded CO-RE read of a field no kernel has: the verifier meets the poisoned call");
            case "ksyms_typed.bpf.o" -> HostFeatures.kallsymsData().present()
                    ? new Plan(object, Mode.SAME_INSTRUCTIONS, List.of(), HostFeatures.kallsymsData().describe(), true)
                    : new Plan(object, Mode.BOTH_REFUSE, List.of(), HostFeatures.kallsymsData().describe()
                    + ": the kernel finds no address for a typed ksym of data", true);
            // trampoline and LSM programs: loaded where the kernel allows them (not under this
            // host's lockdown; fentry.s on bpf_fentry_test1 not on 6.1), refused by both elsewhere
            case "tracing_effects.bpf.o" -> probed(object, KernelProbes.trampoline("do_unlinkat"));
            case "lsm_effects.bpf.o" -> probed(object, KernelProbes.lsm("socket_create"));
            case "sleepable.bpf.o" -> probed(object, KernelProbes.sleepableTrampoline("bpf_fentry_test1"));
            // kfuncs newer than 6.1 called unguarded: bpf_obj_new_impl (6.2), bpf_throw (6.7)
            case "kfunc_protos.bpf.o" -> probed(object, KernelProbes.kernelBtfFunction("bpf_obj_new_impl"));
            case "modern.bpf.o" -> probed(object, KernelProbes.kernelBtfFunction("bpf_throw"));
            // struct tun_file: in vmlinux where tun is built in, else in the tun module's BTF
            // (the probe loads the module)
            case "module_btf.bpf.o" -> KernelBtf.vmlinux().findId("tun_file", BtfKind.STRUCT).isPresent()
                    ? new Plan(object, Mode.SAME_INSTRUCTIONS, List.of(), "tun built in: vmlinux has struct tun_file",
                    true)
                    : probed(object, KernelProbes.moduleBtf("tun"));
            case "st_ops_layout.bpf.o" -> new Plan(object, Mode.BOTH_REFUSE, List.of(),
                    "a struct_ops member no kernel has, set; a struct_ops struct no kernel has");
            // a .struct_ops.link map: BPF_F_LINK struct_ops maps are Linux 6.4's
            case "struct_ops_cc.bpf.o", "struct_ops_swap.bpf.o" ->
                    probed(object, KernelProbes.kernelBtfMember("bpf_struct_ops_link", "map"));
            // BPF_MAP_TYPE_CGRP_STORAGE: Linux 6.2 (6.1: EINVAL, unknown map type)
            case "cgrp_storage.bpf.o" -> probed(object, KernelProbes.kernelBtfMember("cgroup", "bpf_cgrp_storage"));
            // arenas: Linux 6.9 (6.1: EINVAL, unknown map type); the CI host refuses them (EPERM)
            case "arena.bpf.o" -> probed(object, KernelProbes.arena());
            // bound to a function of another program (ProgramTargetAttachTest), which only
            // ProgramSpec.attachTarget names: the dumper sets no target, so neither loader finds one
            case "prog_fentry.bpf.o", "prog_target_ext.bpf.o" -> new Plan(object, Mode.BOTH_REFUSE,
                    List.of(), "its target is a function of another BPF program, named only at load");
            // tun_chr_open in the tun module's BTF (the probe loads the module), or in vmlinux where
            // tun is built in (this host: there fentry is refused, as everywhere here)
            case "module_tracing.bpf.o" -> probed(object, KernelProbes.moduleTrampoline("tun", "tun_chr_open"));
            default -> new Plan(object, Mode.SAME_INSTRUCTIONS, List.of(), "");
        };
    }

    private static Plan probed(String object, KernelProbes.Probe probe) {
        return new Plan(object, probe.present() ? Mode.SAME_INSTRUCTIONS : Mode.BOTH_REFUSE, List.of(),
                probe.feature() + " " + probe.branch(), true);
    }

    static Stream<Arguments> objects() {
        List<Path> all = TestObjects.all();
        assertTrue(all.size() >= 25, "the build makes at least 25 test objects: " + all);
        return all.stream().map(p -> Arguments.of(plan(p.getFileName().toString())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void loadsAsLibbpfDoes(Plan plan) throws IOException {
        if (plan.probed()) {
            System.out.println("bpfkit branch: LibbpfLoadDifferentialTest: " + plan);
        }
        try (PinRoot pinRoot = PinRoot.create("diff")) {
            Path pins = pinRoot.path();
            List<String> cmd = new ArrayList<>(List.of(dumper.toString(), TestObjects.path(plan.object()).toString(),
                    pins.toString()));
            cmd.addAll(plan.skipped());
            Tools.Result r = Tools.run(120, cmd.toArray(String[]::new));
            String libbpf = r.out();

            BpfObjectSpec spec = BpfObjects.open(TestObjects.path(plan.object()));
            plan.skipped().forEach(name -> spec.program(name).orElseThrow().autoload(false));
            LoadOptions options = LoadOptions.defaults().withPinRoot(pins);
            switch (plan.mode()) {
                case SAME_INSTRUCTIONS -> {
                    assertEquals(0, r.exitCode(), "libbpf: " + libbpf + r.stderr());
                    StringBuilder actual = new StringBuilder();
                    try (LoadedObject obj = BpfLoader.load(spec, options)) {
                        for (LoadedProgram p : obj.programs().values()) {
                            actual.append(XlatedText.of("prog", p, obj));
                        }
                    }
                    assertFalse(libbpf.isEmpty());
                    assertEquals(libbpf, actual.toString(), plan.object());
                }
                case BOTH_REFUSE -> {
                    assertEquals(1, r.exitCode(), "libbpf refuses " + plan + ": " + libbpf + r.stderr());
                    assertTrue(libbpf.startsWith("error "), libbpf);
                    BpfException e = assertThrows(BpfException.class, () -> BpfLoader.load(spec, options).close(),
                            "bpfkit refuses " + plan);
                    KernelException kernel = kernelCause(e);
                    if (libbpf.startsWith("error load ") && kernel != null) {
                        assertEquals(libbpf.strip(), "error load -" + kernel.errno(),
                                "libbpf and bpfkit refused with the same errno: " + e.getMessage());
                    }
                }
                case ONLY_BPFKIT_LOADS -> {
                    assertEquals(1, r.exitCode(), "libbpf refuses " + plan + ": " + libbpf + r.stderr());
                    try (LoadedObject obj = BpfLoader.load(spec, options)) {
                        assertFalse(obj.programs().isEmpty() && obj.maps().isEmpty(), plan.object());
                    }
                }
            }
        }
    }

    private static KernelException kernelCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KernelException k) {
                return k;
            }
        }
        return null;
    }
}
