package io.bpfkit.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Runs {@link KernelSupport#probe()} and prints what it found and how many BPF descriptors it
 * left open (the first system call also opens files of the JVM's own, which do not count); run
 * in a child JVM with fewer capabilities by KernelSupportTest.
 */
public final class ProbeInChild {
    private ProbeInChild() {
    }

    public static void main(String[] args) throws IOException {
        long before = bpfFds();
        KernelSupport k = KernelSupport.probe();
        long after = bpfFds();
        System.out.println("available=" + k.available());
        System.out.println("reason=" + k.reason());
        System.out.println("leaked=" + (after - before));
        System.out.println("cached=" + (KernelSupport.probe() == k));
    }

    /** Open descriptors of BPF objects ({@code anon_inode:bpf-map} and the like). */
    private static long bpfFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("anon_inode:bpf");
                } catch (IOException gone) {
                    return false; // the directory's own descriptor, closed by now
                }
            }).count();
        }
    }
}
