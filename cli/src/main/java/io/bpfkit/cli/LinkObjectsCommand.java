package io.bpfkit.cli;

import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.linker.BpfLinker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bpfkit link-objects OUT IN...}: links eBPF objects into one ({@link BpfLinker}), as
 * {@code bpftool gen object OUT IN...} does. OUT is written only when the link succeeds.
 */
final class LinkObjectsCommand {
    static final String USAGE = "usage: bpfkit link-objects OUT IN...";

    private LinkObjectsCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 2 || args.stream().anyMatch(a -> a.startsWith("-"))) {
            err.println(USAGE);
            return Main.USAGE;
        }
        Path output = Path.of(args.getFirst());
        List<BpfLinker.Input> inputs = new ArrayList<>();
        for (String in : args.subList(1, args.size())) {
            try {
                inputs.add(new BpfLinker.Input(in, Files.readAllBytes(Path.of(in))));
            } catch (IOException e) {
                err.println("bpfkit: " + in + ": cannot read: " + e);
                return Main.FAILED;
            }
        }
        byte[] linked;
        try {
            linked = BpfLinker.link(inputs);
        } catch (ObjectFormatException e) {
            err.println("bpfkit: " + e.getMessage());
            return Main.FAILED;
        }
        try {
            Files.write(output, linked);
        } catch (IOException e) {
            err.println("bpfkit: " + output + ": cannot write: " + e);
            return Main.FAILED;
        }
        return Main.OK;
    }
}
