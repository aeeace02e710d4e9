package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.KernelException;
import io.bpfkit.api.map.BpfSockMap;
import io.bpfkit.link.Attach;
import io.bpfkit.link.Link;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.BpfObjectSpec;
import io.bpfkit.object.BpfObjects;
import io.bpfkit.run.TestRun;
import io.bpfkit.sys.MapCalls;
import io.bpfkit.testing.LoopbackTcp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What BpfTokenTest runs inside a user namespace (token_userns.c): loads token.bpf.o as an
 * unprivileged container process would, and prints one line per case for the test to assert.
 *
 * <pre>
 *   TokenLoadMain delegated OBJECT BPFFS     without a token (refused), with one (runs), from
 *                                            the environment, and bad paths
 *   TokenLoadMain undelegated OBJECT BPFFS   withToken on a bpffs without delegate_* options
 * </pre>
 */
public final class TokenLoadMain {
    private static final byte[] PACKET = new byte[64];

    private TokenLoadMain() {
    }

    public static void main(String[] args) {
        BpfObjectSpec spec = BpfObjects.open(Path.of(args[1]));
        Path bpffs = Path.of(args[2]);
        if (args[0].equals("undelegated")) {
            System.out.println("no-delegation: " + refusal(spec, LoadOptions.defaults().withToken(bpffs)));
            return;
        }
        System.out.println("without-token: " + refusal(spec, LoadOptions.defaults().withoutToken()));
        System.out.println("with-token: " + run(spec, LoadOptions.defaults().withToken(bpffs)));
        System.out.println("sockmap: " + sockmap(Path.of(args[1]).resolveSibling("sockmap.bpf.o"), bpffs));
        if (System.getenv(LoadOptions.LIBBPF_TOKEN_PATH_ENV) != null) {
            System.out.println("env-token: " + run(spec, LoadOptions.defaults()));
        }
        int fds = openFds();
        System.out.println("not-bpffs: " + refusal(spec, LoadOptions.defaults().withToken(Path.of("/proc"))));
        System.out.println("missing: " + refusal(spec, LoadOptions.defaults().withToken(bpffs.resolve("missing"))));
        System.out.println("leaked-fds: " + (openFds() - fds));
    }

    /** Loads, test-runs count_packets three times, and reads what it counted. */
    private static String run(BpfObjectSpec spec, LoadOptions options) {
        try (LoadedObject obj = BpfLoader.load(spec, options)) {
            int retval = 0;
            for (int i = 0; i < 3; i++) {
                retval = TestRun.of(obj.program("count_packets").orElseThrow()).data(PACKET).run().returnValue();
            }
            return "retval=" + retval + " runs=" + first64(obj.map("token.bss").orElseThrow())
                    + " bytes=" + first64(obj.map("hits").orElseThrow());
        } catch (BpfException e) {
            return "failed " + e;
        }
    }

    /**
     * sockmap.bpf.o loaded with the token and its sk_msg program attached: the attach chooses
     * link or legacy by the features probed with the object's token.
     */
    private static String sockmap(Path object, Path bpffs) {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(object), LoadOptions.defaults().withToken(bpffs));
                BpfSockMap socks = BpfMaps.sockMap(obj, "socks"); LoopbackTcp tcp = LoopbackTcp.open();
                Link l = Attach.sockMap(obj.program("on_msg").orElseThrow(), socks)) {
            socks.set(0, tcp.client);
            LoopbackTcp.send(tcp.client, "hello".getBytes(StandardCharsets.US_ASCII));
            String received = new String(LoopbackTcp.receive(tcp.server, 64, 2000), StandardCharsets.US_ASCII);
            return "link=" + l.isBpfLink() + " received=" + received + " msgs="
                    + BpfMaps.globals(obj, ".bss").getLong("msgs");
        } catch (BpfException e) {
            return "failed " + e;
        }
    }

    @SuppressWarnings("try") // the object exists only to show the load succeeded, which it should not
    private static String refusal(BpfObjectSpec spec, LoadOptions options) {
        try (LoadedObject obj = BpfLoader.load(spec, options)) {
            return "loaded";
        } catch (KernelException e) {
            return "KernelException " + e.errnoName() + ": " + e.getMessage().replace('\n', ' ');
        } catch (BpfException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage().replace('\n', ' ');
        }
    }

    private static long first64(LoadedMap map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(map.spec().valueSize());
            if (!MapCalls.of(map.fd()).lookup(key, value)) {
                throw new IllegalStateException("map '" + map.name() + "' has no key 0");
            }
            return value.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    private static int openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
