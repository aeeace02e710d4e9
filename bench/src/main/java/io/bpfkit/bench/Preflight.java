package io.bpfkit.bench;

import io.bpfkit.object.BpfObjects;
import java.nio.file.Path;

/**
 * Tells scripts/bench which objects bpfkit opens: one line per argument, {@code ok PATH} or
 * {@code fail PATH REASON}. Always exits 0; a refusal is a finding, not an error here.
 */
public final class Preflight {
    private Preflight() {
    }

    /** Entry point: {@code Preflight OBJECT...}. */
    public static void main(String[] args) {
        for (String arg : args) {
            try {
                BpfObjects.open(Path.of(arg));
                System.out.println("ok " + arg);
            } catch (RuntimeException | StackOverflowError e) {
                String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
                System.out.println("fail " + arg + " " + e.getClass().getSimpleName() + ": " + msg);
            }
        }
    }
}
