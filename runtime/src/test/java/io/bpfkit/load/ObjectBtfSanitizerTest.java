package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.btf.Btf;
import io.bpfkit.btf.BtfKind;
import io.bpfkit.btf.BtfPatch;
import io.bpfkit.btf.BtfType;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.BtfLoadResult;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BTF rewrite before BPF_BTF_LOAD (libbpf's extern handling and kind sanitization), on a
 * real object (modern.bpf.o: kfuncs, a kptr, ENUM64, FLOAT, DECL_TAG, TYPE_TAG, .bss.A) and
 * simulated kernels: each lacking one feature, and one lacking all but BTF itself.
 */
class ObjectBtfSanitizerTest {
    private static final BtfFeatures ALL = BtfFeatures.ALL;

    private static BpfObjectSpec modern() {
        return BpfObjects.open(TestObjects.path("modern.bpf.o"));
    }

    private static Btf sanitized(BpfObjectSpec spec, BtfFeatures features) {
        BtfPatch patch = ObjectBtfSanitizer.sanitize(spec, features);
        MemorySegment out = MemorySegment.ofArray(new byte[(int) patch.size()]);
        patch.writeTo(out);
        return Btf.parse(out).validate();
    }

    /**
     * Older kernels as they were: each knows the features up to a version, in the order the
     * kernel gained them (BTF 4.18, FUNC 5.0, DATASEC 5.2, global FUNC 5.6, FLOAT 5.13,
     * DECL_TAG 5.16, TYPE_TAG 5.17, ENUM64 6.0, then '?' in DATASEC names).
     */
    static Stream<BtfFeatures> olderKernels() {
        List<BtfFeatures> out = new ArrayList<>();
        for (int known = 1; known < 9; known++) {
            boolean[] f = new boolean[9];
            for (int i = 0; i < known; i++) {
                f[i] = true;
            }
            // record order: btf, func, funcGlobal, datasec, ...; version order: btf, func, datasec, funcGlobal, ...
            out.add(new BtfFeatures(f[0], f[1], f[3], f[2], f[4], f[5], f[6], f[7], f[8]));
        }
        return out.stream();
    }

    @Test
    void externFunctionsBecomeGlobalFunctionsWithNamedParametersAndKsymsSlots() {
        BpfObjectSpec spec = modern();
        Btf before = spec.btf().orElseThrow();
        Btf after = sanitized(spec, ALL);
        assertEquals(before.typeCount() + 1, after.typeCount(), "one type added: dummy_ksym");
        BtfType.Var dummy = (BtfType.Var) after.type(after.typeCount() - 1);
        assertEquals("dummy_ksym", dummy.name());
        assertEquals(BtfType.Var.Linkage.GLOBAL, dummy.linkage(), "allocated");
        assertEquals(32, ((BtfType.Int) after.type(dummy.type())).bits());

        BtfType.Datasec ksyms = after.datasec(".ksyms").orElseThrow();
        assertEquals(4L * ksyms.entries().size(), ksyms.size());
        for (int i = 0; i < ksyms.entries().size(); i++) {
            BtfType.DatasecEntry e = ksyms.entries().get(i);
            assertEquals(dummy.id(), e.type());
            assertEquals(4L * i, e.offset());
            assertEquals(4, e.size());
        }
        for (String kfunc : List.of("bpf_task_acquire", "bpf_task_release", "bpf_obj_new_impl", "bpf_obj_drop_impl")) {
            BtfType.Func f = (BtfType.Func) after.find(kfunc, BtfKind.FUNC).orElseThrow();
            assertEquals(BtfType.Func.Linkage.GLOBAL, f.linkage(), kfunc);
            for (BtfType.Param p : ((BtfType.FuncProto) after.type(f.type())).params()) {
                assertFalse(p.name().isEmpty(), kfunc + " has a parameter without a name");
            }
        }
        for (int id = 1; id < after.typeCount(); id++) {
            if (after.type(id) instanceof BtfType.Func f) {
                assertTrue(f.linkage() != BtfType.Func.Linkage.EXTERN, f.name());
            }
            if (after.type(id) instanceof BtfType.Var v) {
                assertTrue(v.linkage() != BtfType.Var.Linkage.EXTERN, v.name());
            }
        }
        // Every type of the object keeps its id and kind.
        for (int id = 1; id < before.typeCount(); id++) {
            assertEquals(before.kind(id), after.kind(id), "type [" + id + "]");
        }
    }

    @Test
    void datasecsGetTheirSizesAndOffsets() {
        Btf after = sanitized(modern(), ALL);
        BtfType.Datasec bssA = after.datasec(".bss.A").orElseThrow();
        assertEquals(16, bssA.size());
        assertEquals(List.of(0L, 8L), bssA.entries().stream().map(BtfType.DatasecEntry::offset).toList());
    }

    @ParameterizedTest
    @MethodSource("olderKernels")
    void kindsAnOlderKernelLacksAreRewritten(BtfFeatures kernel) {
        BpfObjectSpec spec = modern();
        Btf before = spec.btf().orElseThrow();
        Btf after = sanitized(spec, kernel);
        int kept = 0;
        for (int id = 1; id < before.typeCount(); id++) {
            BtfKind was = before.kind(id);
            BtfKind is = after.kind(id);
            BtfKind expected = switch (was) {
                case VAR -> kernel.datasec() ? BtfKind.VAR : BtfKind.INT;
                case DECL_TAG -> kernel.declTag() ? BtfKind.DECL_TAG : BtfKind.INT;
                case DATASEC -> kernel.datasec() ? BtfKind.DATASEC : BtfKind.STRUCT;
                case FUNC_PROTO -> kernel.func() ? BtfKind.FUNC_PROTO : BtfKind.ENUM;
                case FUNC -> kernel.func() ? BtfKind.FUNC : BtfKind.TYPEDEF;
                case FLOAT -> kernel.floats() ? BtfKind.FLOAT : BtfKind.STRUCT;
                case TYPE_TAG -> kernel.typeTag() ? BtfKind.TYPE_TAG : BtfKind.CONST;
                case ENUM64 -> kernel.enum64() ? BtfKind.ENUM64 : BtfKind.UNION;
                default -> was;
            };
            assertEquals(expected, is, "type [" + id + "] " + before.name(id) + " on " + kernel);
            kept += was == is ? 1 : 0;
            if (is == BtfKind.FUNC && !kernel.funcGlobal()) {
                assertEquals(BtfType.Func.Linkage.STATIC, ((BtfType.Func) after.type(id)).linkage());
            }
            if (is == BtfKind.ENUM && !kernel.enum64()) {
                assertFalse(((BtfType.Enum) after.type(id)).signed(), "no signed ENUM before ENUM64");
            }
        }
        assertTrue(kept > 0);
        if (!kernel.datasec()) {
            BtfType.Struct data = (BtfType.Struct) after.find("_data", BtfKind.STRUCT).orElseThrow();
            assertEquals(List.of("wide_value", "ratio", "tagged"), data.members().stream().map(BtfType.Member::name).toList());
            assertEquals(List.of(0L, 64L, 96L), data.members().stream().map(BtfType.Member::bitOffset).toList());
        }
    }

    /** Whatever a rewrite for an older kernel gives must be BTF that this newer kernel accepts too. */
    @KernelTest
    @ParameterizedTest
    @MethodSource("olderKernels")
    void whatIsRewrittenForAnOlderKernelStillLoads(BtfFeatures kernel) {
        assertTheKernelTakes(ObjectBtfSanitizer.sanitize(modern(), kernel), kernel);
    }

    /** What the probes say this kernel lacks is rewritten, and the kernel takes the result. */
    @KernelTest
    @Test
    void theRunningKernelTakesTheObjectBtfRewrittenForWhatItsProbesFound() {
        BtfFeatures running = BtfFeatures.running();
        System.out.println("bpfkit branch: ObjectBtfSanitizerTest: this kernel's BTF features: " + running);
        assertTrue(running.btf() && running.func() && running.datasec(), running.toString());
        assertTheKernelTakes(ObjectBtfSanitizer.sanitize(modern(), running), running);
    }

    private static void assertTheKernelTakes(BtfPatch patch, BtfFeatures rewrittenFor) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = arena.allocate(patch.size());
            patch.writeTo(blob);
            MemorySegment log = arena.allocate(1 << 16);
            BtfLoadResult r = Bpf.btfLoad(blob, 1, log, "sanitized for " + rewrittenFor);
            assertTrue(r.ok(), () -> rewrittenFor + ": "
                    + r.log().lines().skip(Math.max(0, r.log().lines().count() - 4)).toList());
            r.fd().close();
        }
    }
}
