package io.bpfkit.testing;

import io.bpfkit.sys.KernelSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Runs, skips or fails a {@link KernelTest} depending on bpf(2) and {@code bpfkit.kernelTests}. */
public final class KernelTestExtension implements BeforeAllCallback, BeforeEachCallback {

    /** True when the build asked that kernel tests run (CI): a skip is then a failure. */
    public static boolean required() {
        String mode = System.getProperty("bpfkit.kernelTests", "");
        return mode.equals("require") || "1".equals(System.getenv("BPFKIT_REQUIRE_KERNEL_TESTS"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        KernelSupport support = KernelSupport.probe();
        if (support.available()) {
            return;
        }
        String reason = "kernel test " + context.getDisplayName() + " cannot run: " + support.reason();
        if (required()) {
            throw new AssertionError(reason + " (kernel tests are required here: bpfkit.kernelTests=require)");
        }
        Assumptions.abort(reason);
    }
}
