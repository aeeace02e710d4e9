package io.bpfkit.bench;

import io.bpfkit.load.BpfLoader;
import io.bpfkit.load.LoadOptions;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.object.BpfObjects;
import java.nio.file.Path;

/**
 * Tells scripts/bench which objects bpfkit opens (or, after {@code --load PIN_ROOT}, loads): one
 * line per argument, {@code ok PATH} or {@code fail PATH REASON}. Always exits 0; a refusal is
 * a finding, not an error here.
 */
public final class Preflight {
    private Preflight() {
    }

    /** Entry point: {@code Preflight [--load PIN_ROOT] OBJECT...}. */
    public static void main(String[] args) {
        boolean load = args.length > 1 && args[0].equals("--load");
        LoadOptions options = load ? LoadOptions.defaults().withPinRoot(Path.of(args[1])) : null;
        for (int i = load ? 2 : 0; i < args.length; i++) {
            String arg = args[i];
            try {
                if (load) {
                    try (LoadedObject obj = BpfLoader.load(BpfObjects.open(Path.of(arg)), options)) {
                        obj.programs();
                    }
                } else {
                    BpfObjects.open(Path.of(arg));
                }
                System.out.println("ok " + arg);
            } catch (RuntimeException | StackOverflowError e) {
                String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
                System.out.println("fail " + arg + " " + e.getClass().getSimpleName() + ": " + msg);
            }
        }
    }
}
