package io.bpfkit.cli;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.ObjectFormatException;
import io.bpfkit.gen.BindingGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bpfkit gen OBJECT [--package P] [--interface NAME] [--resource R] [-o DIR]}: writes the
 * annotated interface of an object ({@link BindingGenerator}) under DIR (a source root; default:
 * the current folder), or to standard output with {@code -o -}. The interface names the object
 * as a class-path resource beside it ({@code --resource}: another path, e.g. {@code /probes/x.bpf.o}). What it cannot generate goes to
 * standard error, one line each; the exit code is 0 whenever a file was written.
 */
final class GenCommand {
    static final String USAGE = "usage: bpfkit gen OBJECT [--package P] [--interface NAME] [--resource R] [-o DIR|-]";

    private GenCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().startsWith("-")) {
            err.println(USAGE);
            return Main.USAGE;
        }
        Path object = Path.of(args.getFirst());
        String pkg = "";
        String name = null;
        String resource = null;
        String dir = ".";
        for (int i = 1; i < args.size(); i += 2) {
            String option = args.get(i);
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            if (value == null) {
                err.println("bpfkit gen: " + option + " needs a value; " + USAGE);
                return Main.USAGE;
            }
            switch (option) {
                case "--package", "-p" -> pkg = value;
                case "--interface" -> name = value;
                case "--resource" -> resource = value;
                case "-o", "--output" -> dir = value;
                default -> {
                    err.println("bpfkit gen: unknown option " + option + "; " + USAGE);
                    return Main.USAGE;
                }
            }
        }
        if (!pkg.isEmpty() && !pkg.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
            err.println("bpfkit gen: --package " + pkg + " is not a Java package name");
            return Main.USAGE;
        }
        if (name != null && !name.matches("[A-Za-z_$][A-Za-z0-9_$]*")) {
            err.println("bpfkit gen: --interface " + name + " is not a Java class name");
            return Main.USAGE;
        }
        BindingGenerator.Generated g;
        try {
            g = BindingGenerator.generate(Files.readAllBytes(object), object.getFileName().toString(),
                    new BindingGenerator.Options(pkg, name, resource != null ? resource
                            : object.getFileName().toString()));
        } catch (IOException e) {
            err.println("bpfkit: " + object + ": cannot read: " + e);
            return Main.FAILED;
        } catch (ObjectFormatException e) {
            err.println("bpfkit: " + e.inFile(object.toString()).getMessage());
            return Main.FAILED;
        } catch (BpfException e) {
            err.println("bpfkit: " + object + ": " + e.getMessage());
            return Main.FAILED;
        }
        for (String note : g.notes()) {
            err.println("bpfkit gen: " + object.getFileName() + ": " + note);
        }
        if (dir.equals("-")) {
            out.print(g.source());
            return Main.OK;
        }
        try {
            Path file = g.writeTo(Path.of(dir));
            err.println("bpfkit gen: wrote " + file);
            return Main.OK;
        } catch (IOException e) {
            err.println("bpfkit gen: cannot write under " + dir + ": " + e.getMessage());
            return Main.FAILED;
        }
    }
}
