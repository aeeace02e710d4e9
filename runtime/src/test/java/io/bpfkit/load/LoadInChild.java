package io.bpfkit.load;

import io.bpfkit.api.BpfException;
import io.bpfkit.object.BpfObjects;
import java.nio.file.Path;

/** Loads one object and prints the outcome; run in a child JVM without privileges by a test. */
public final class LoadInChild {
    private LoadInChild() {
    }

    public static void main(String[] args) {
        try (LoadedObject obj = BpfLoader.load(BpfObjects.open(Path.of(args[0])))) {
            System.out.println("LOADED " + obj);
        } catch (BpfException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(3);
        }
    }
}
