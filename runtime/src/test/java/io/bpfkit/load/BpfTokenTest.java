package io.bpfkit.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.api.KernelException;
import io.bpfkit.api.UnsupportedFeatureException;
import io.bpfkit.feature.KernelFeature;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.sys.Errno;
import io.bpfkit.testing.KernelProbes;
import io.bpfkit.testing.KernelTest;
import io.bpfkit.testing.TestObjects;
import io.bpfkit.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * BPF tokens as a container uses them: token_userns.c makes a user and mount namespace with a
 * bpf file system the privileged parent created for it with delegate_*=any; inside,
 * {@link TokenLoadMain} (a child JVM) loads token.bpf.o with bpfkit, and libbpf_token_run.c with
 * libbpf and {@code LIBBPF_BPF_TOKEN_PATH}. On a kernel without tokens (probed), a load that
 * asks for one is refused with the feature's name and first kernel.
 */
class BpfTokenTest {
    @TempDir
    Path tmp;

    @Test
    void theTokenPathComesFromTheOptionsThenOurVariableThenLibbpfs() {
        Map<String, String> both = Map.of(LoadOptions.TOKEN_PATH_ENV, "/ours", LoadOptions.LIBBPF_TOKEN_PATH_ENV, "/libbpf");
        assertEquals("/opt", ObjectLoader.tokenPath("/opt", both::get));
        assertEquals("", ObjectLoader.tokenPath("", both::get));
        assertEquals("/ours", ObjectLoader.tokenPath(null, both::get));
        assertEquals("/libbpf", ObjectLoader.tokenPath(null, Map.of(LoadOptions.LIBBPF_TOKEN_PATH_ENV, "/libbpf")::get));
        assertEquals("", ObjectLoader.tokenPath(null, Map.of(LoadOptions.TOKEN_PATH_ENV, "",
                LoadOptions.LIBBPF_TOKEN_PATH_ENV, "/libbpf")::get));
        assertNull(ObjectLoader.tokenPath(null, Map.<String, String>of()::get));
        assertEquals("/sys/fs/bpf", LoadOptions.defaults().withToken(Path.of("/sys/fs/bpf")).bpfTokenPath());
        assertEquals("", LoadOptions.defaults().withToken(Path.of("/x")).withoutToken().bpfTokenPath());
        assertNull(LoadOptions.defaults().withoutToken().withDefaultToken().bpfTokenPath());
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.defaults().withToken(Path.of("")));
    }

    @TestFactory
    @KernelTest
    DynamicTest aTokenLoadsAnObjectInAUserNamespaceWhereNothingLoadsWithoutIt() {
        return KernelProbes.branch("a token loads an object in a user namespace", KernelProbes.bpfToken(),
                this::loadsWithToken, BpfTokenTest::refusedWithoutKernelTokens);
    }

    /** A kernel without BPF_TOKEN_CREATE: asking for a token is refused by name, before any load. */
    private static void refusedWithoutKernelTokens() {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("token.bpf.o"));
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class,
                () -> BpfLoader.load(spec, LoadOptions.defaults().withToken(Path.of("/sys/fs/bpf"))).close());
        assertTrue(e.getMessage().startsWith("BPF token needs Linux 6.9, this is "), e.getMessage());
        assertTrue(e.getMessage().contains("withoutToken()"), e.getMessage());
        assertFalse(KernelFeatures.running().has(KernelFeature.BPF_TOKEN));
        // the default (no variable set) tries /sys/fs/bpf quietly and loads without a token
        BpfLoader.load(spec, LoadOptions.defaults()).close();
    }

    private void loadsWithToken() throws IOException {
        BpfObjectSpec spec = BpfObjects.open(TestObjects.path("token.bpf.o"));
        assertTrue(KernelFeatures.running().has(KernelFeature.BPF_TOKEN));
        // the default (no variable set) tries /sys/fs/bpf quietly: EOPNOTSUPP there, no token, loads
        BpfLoader.load(spec, LoadOptions.defaults()).close();
        // the host's bpffs belongs to the initial user namespace: no token there, and a clear reason
        KernelException initNs = assertThrows(KernelException.class,
                () -> BpfLoader.load(spec, LoadOptions.defaults().withToken(Path.of("/sys/fs/bpf"))).close());
        assertEquals(Errno.EOPNOTSUPP, initNs.errno());
        assertTrue(initNs.getMessage().contains("initial user namespace"), initNs.getMessage());

        Path dir = Files.createDirectory(tmp.resolve("bpffs"));
        Path helper = build("token_userns.c");
        String object = TestObjects.path("token.bpf.o").toAbsolutePath().toString();

        Tools.Result r = Tools.run(180, command(helper, List.of(), dir, "delegated", object));
        String out = r.out();
        assertEquals(0, r.exitCode(), out + r.stderr());
        // BTF, map and program loads each need the token inside the namespace
        assertTrue(out.contains("without-token: KernelException EPERM: BPF_"), out);
        // ... and the refusal says what would work there
        assertTrue(out.lines().anyMatch(l -> l.startsWith("without-token: ") && l.contains("in a user namespace, as this "
                + "process is, only with a BPF token")), out);
        assertTrue(out.contains("with-token: retval=2 runs=3 bytes=192\n"), out); // XDP_PASS, 3 x 64 bytes
        assertTrue(out.contains("env-token: retval=2 runs=3 bytes=192\n"), out);
        // attaching inside the namespace probes with the object's token: a link where the kernel has them
        assertTrue(out.contains("sockmap: link=" + KernelProbes.sockmapLink().present() + " received=hello msgs=1\n"),
                out);
        assertTrue(out.contains("not-bpffs: KernelException EINVAL: ") && out.contains("/proc is not the root of a bpf"),
                out);
        assertTrue(out.contains("missing: KernelException ENOENT: ") && out.contains("BPF token from " + dir + "/missing"),
                out);
        assertTrue(out.contains("leaked-fds: 0\n"), out);

        Tools.Result undelegated = Tools.run(180, command(helper, List.of("--no-delegate"), dir, "undelegated", object));
        assertEquals(0, undelegated.exitCode(), undelegated.out() + undelegated.stderr());
        assertTrue(undelegated.out().contains("no-delegation: KernelException ENOENT: ")
                && undelegated.out().contains("delegates nothing"), undelegated.out());
    }

    @TestFactory
    @KernelTest
    DynamicTest libbpfLoadsTheSameObjectWithItsTokenVariable() {
        return KernelProbes.branch("libbpf loads token.bpf.o with LIBBPF_BPF_TOKEN_PATH", KernelProbes.bpfToken(),
                this::libbpfLoadsWithToken, () -> {
                    // no tokens to compare: libbpf, asked for one, fails as bpfkit does (EINVAL from the command)
                    Path libbpf = Tools.compileAgainstLibbpf("libbpf_token_run.c", tmp);
                    Tools.Result r = Tools.run(60, "env", LoadOptions.LIBBPF_TOKEN_PATH_ENV + "=/sys/fs/bpf",
                            libbpf.toString(), TestObjects.path("token.bpf.o").toAbsolutePath().toString());
                    assertEquals(1, r.exitCode(), r.out() + r.stderr());
                    assertEquals("error load -22\n", r.out());
                });
    }

    private void libbpfLoadsWithToken() {
        Path libbpf = Tools.compileAgainstLibbpf("libbpf_token_run.c", tmp);
        Path helper = build("token_userns.c");
        Path dir = tmp.resolve("bpffs-libbpf");
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String object = TestObjects.path("token.bpf.o").toAbsolutePath().toString();
        Tools.Result r = Tools.run(60, helper.toString(), dir.toString(), "env",
                LoadOptions.LIBBPF_TOKEN_PATH_ENV + "=" + dir, libbpf.toString(), object);
        assertEquals(0, r.exitCode(), r.out() + r.stderr());
        assertEquals("retval=2 runs=3 bytes=192 token=yes\n", r.out());
        // and libbpf without it is refused, as bpfkit is
        Tools.Result without = Tools.run(60, helper.toString(), dir.toString(), "env",
                LoadOptions.LIBBPF_TOKEN_PATH_ENV + "=", libbpf.toString(), object);
        assertEquals(1, without.exitCode(), without.out() + without.stderr());
        assertTrue(without.out().startsWith("error load -1\n"), without.out()); // -EPERM
    }

    private String[] command(Path helper, List<String> helperOptions, Path dir, String mode, String object) {
        List<String> c = new ArrayList<>(List.of(helper.toString()));
        c.addAll(helperOptions);
        c.addAll(List.of(dir.toString(), "env", LoadOptions.LIBBPF_TOKEN_PATH_ENV + "=" + dir,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                TokenLoadMain.class.getName(), mode, object, dir.toString()));
        return c.toArray(String[]::new);
    }

    private Path build(String source) {
        Path gcc = Tools.find("gcc", "cc");
        Tools.assumePresent(gcc != null, "gcc is not installed (Debian: apt-get install gcc)");
        Path exe = tmp.resolve(source.replace(".c", ""));
        Tools.Result r = Tools.run(60, gcc.toString(), "-O2", "-Wall", "-Werror", "-o", exe.toString(),
                Path.of("src", "test", "c", source).toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("building " + source + " failed:\n" + r.stderr());
        }
        return exe;
    }
}
