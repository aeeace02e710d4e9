package io.bpfkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an example tool for real on another thread, as {@code ./bpfkit TOOL ARGS} would: the
 * test does its part once the tool says its probes are attached, then reads what it printed.
 *
 * <pre>{@code
 * ToolRunner.Output o = ToolRunner.run(ExecSnoop::run, () -> exec("/bin/true", "x"), "--duration", "2");
 * assertTrue(o.out().contains("/bin/true x"));
 * }</pre>
 */
public final class ToolRunner {
    private ToolRunner() {
    }

    /** A tool's {@code run(args, out, err, attached)}. */
    @FunctionalInterface
    public interface Tool {
        int run(String[] args, PrintStream out, PrintStream err, Runnable attached);
    }

    /** What the tool printed. */
    public record Output(int exitCode, String out, String err) {
    }

    /** An action of the test while the tool traces. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** Runs {@code tool} with {@code args}; runs {@code whileAttached} once it traces; checks the exit code 0. */
    public static Output run(Tool tool, Action whileAttached, String... args) throws Exception {
        return run(tool, whileAttached, false, args);
    }

    /**
     * Like {@link #run}, but ends the tool as soon as {@code whileAttached} is done, as Ctrl-C
     * would (an interrupt of its thread: it stops tracing and prints what it saw), rather than at
     * the end of its {@code --duration}: for a test that checks the tool saw exactly what the
     * action did, however long the action took. The duration is only a backstop then.
     */
    public static Output runUntilDone(Tool tool, Action whileAttached, String... args) throws Exception {
        return run(tool, whileAttached, true, args);
    }

    private static Output run(Tool tool, Action whileAttached, boolean stopWhenDone, String... args)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CountDownLatch attached = new CountDownLatch(1);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().name("bpfkit-tool").start(() -> {
            try {
                exit.complete(tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), attached::countDown));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        boolean ready = false;
        while (!ready && !exit.isDone()) {
            ready = attached.await(100, TimeUnit.MILLISECONDS);
        }
        assertTrue(ready, "the tool ended before attaching: " + err.toString(StandardCharsets.UTF_8));
        whileAttached.run();
        if (stopWhenDone) {
            runner.interrupt();
        }
        Output o = new Output(exit.get(60, TimeUnit.SECONDS), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(0, o.exitCode(), o.err());
        return o;
    }

    /** Runs {@code tool} with {@code args} that end it before it attaches (help, bad arguments). */
    public static Output runOnly(Tool tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = tool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> { });
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
