package io.bpfkit.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * For tests of a reader's wake-up: waits until a poller thread is asleep in the kernel in
 * epoll_wait, so that what the test does next (a close, a record) is what wakes it, never a
 * race the test happened to win. The reader counts its trips to epoll_wait; the kernel's view
 * of the thread ({@code /proc/self/task/TID}) says when it sleeps there.
 *
 * <pre>{@code
 * long before = Pollers.sleeps(reader);
 * Thread poller = Thread.ofPlatform().name("rb-poller").start(() -> reader.poll(Duration.ofMinutes(1)));
 * Pollers.awaitAsleep(reader, before, poller, Duration.ofSeconds(30));
 * reader.close(); // must wake it
 * }</pre>
 */
public final class Pollers {
    private Pollers() {
    }

    /** How many times a poller of {@code reader} has gone to epoll_wait so far. */
    public static long sleeps(PollingReader reader) {
        return reader.sleeps();
    }

    /**
     * Waits until {@code poller} (a platform thread with a name of at most 15 characters, unique
     * in this JVM) has entered epoll_wait for {@code reader} after {@code sleepsBefore} trips
     * and the kernel has put it to sleep there.
     */
    public static void awaitAsleep(PollingReader reader, long sleepsBefore, Thread poller, Duration within) {
        if (poller.isVirtual() || poller.getName().length() > 15) {
            throw new IllegalArgumentException("a platform thread with a name of at most 15 characters: " + poller);
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (reader.sleeps() <= sleepsBefore) {
            check(poller, deadline, "the poller did not reach epoll_wait");
            Thread.onSpinWait();
        }
        Path task = task(poller, deadline);
        while (true) {
            String seen = kernelState(task);
            // wchan names the wait: do_epoll_wait here (6.18), ep_poll where it is not inlined
            if (seen.startsWith("S ") && (seen.contains("epoll") || seen.contains("ep_poll"))) {
                return;
            }
            check(poller, deadline, "the poller is not asleep in epoll_wait (state and wchan: " + seen + ")");
            Thread.onSpinWait();
        }
    }

    private static void check(Thread poller, long deadline, String what) {
        if (!poller.isAlive()) {
            throw new AssertionError(what + ": the thread ended");
        }
        if (System.nanoTime() - deadline > 0) {
            throw new AssertionError(what + " in time");
        }
    }

    /** {@code /proc/self/task/TID} of the thread called like {@code poller}. */
    private static Path task(Thread poller, long deadline) {
        while (true) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals(poller.getName())) {
                            return t;
                        }
                    } catch (NoSuchFileException gone) {
                        // a thread that ended meanwhile
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            check(poller, deadline, "no thread of this process is called " + poller.getName());
        }
    }

    /** "S do_epoll_wait": the state letter of {@code stat} and the function it waits in. */
    private static String kernelState(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state + " " + Files.readString(task.resolve("wchan")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
