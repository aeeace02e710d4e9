package io.bpfkit.examples.jvm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * The JVM that JvmWatchTest watches: waits for a line on standard input (unless told "now"),
 * then calls {@code System.gc()} GCS times, loads a class through CLASSES fresh class loaders,
 * starts and joins one thread, and exits.
 */
public final class GcChild {
    /** What each fresh loader loads. */
    public static final class Loaded {
        private Loaded() {
        }
    }

    private GcChild() {
    }

    public static void main(String[] args) throws Exception {
        int gcs = Integer.parseInt(args[0]);
        int classes = Integer.parseInt(args[1]);
        if (args.length < 3 || !args[2].equals("now")) {
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in)).readLine();
        }
        for (int i = 0; i < gcs; i++) {
            System.gc();
        }
        URL here = GcChild.class.getProtectionDomain().getCodeSource().getLocation();
        for (int i = 0; i < classes; i++) {
            try (URLClassLoader loader = new URLClassLoader(new URL[] {here}, null)) {
                loader.loadClass(Loaded.class.getName());
            }
        }
        Thread t = new Thread(() -> { });
        t.start();
        t.join();
    }
}
