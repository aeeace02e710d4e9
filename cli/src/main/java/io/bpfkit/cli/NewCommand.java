package io.bpfkit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bpfkit new DIR [--package P]}: a Maven project to start from, with one {@code .bpf.c}, its
 * {@code @BpfObject} interface, a {@code main} and a JUnit test that loads the object and runs
 * the program with {@code TestRun}; {@code mvn verify} builds and tests it (as root). It imports
 * {@code bpfkit-bom} at the version of this command and pins the Maven plugins bpfkit builds
 * with, so it builds offline from a local repository that built bpfkit.
 */
final class NewCommand {
    static final String USAGE = "usage: bpfkit new DIR [--package P] [--group-id G]";
    private static final String STARTER = "/io/bpfkit/cli/starter/";
    private static final Pattern TOKEN = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    private static final Pattern PACKAGE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*");

    private NewCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.getFirst().startsWith("-")) {
            err.println(USAGE);
            return Main.USAGE;
        }
        Path dir = Path.of(args.getFirst());
        String pkg = null;
        String groupId = null;
        for (int i = 1; i < args.size(); i += 2) {
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (args.get(i)) {
                case "--package", "-p" -> pkg = value;
                case "--group-id" -> groupId = value;
                default -> value = null;
            }
            if (value == null) {
                err.println("bpfkit new: " + args.get(i) + (i + 1 < args.size() ? " is no option" : " needs a value")
                        + "; " + USAGE);
                return Main.USAGE;
            }
        }
        String artifactId = dir.toAbsolutePath().normalize().getFileName().toString();
        if (pkg == null) {
            pkg = "com.example." + artifactId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "");
        }
        if (!PACKAGE.matcher(pkg).matches() || pkg.endsWith(".")) {
            err.println("bpfkit new: --package " + pkg + " is not a lower-case Java package name");
            return Main.USAGE;
        }
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            err.println("bpfkit new: " + dir + " exists and is not empty; give a new folder");
            return Main.FAILED;
        }
        Map<String, String> values = new LinkedHashMap<>();
        try (InputStream in = NewCommand.class.getResourceAsStream(STARTER + "starter.properties")) {
            Properties p = new Properties();
            p.load(in);
            p.stringPropertyNames().forEach(k -> values.put(k, p.getProperty(k)));
        } catch (IOException | NullPointerException e) {
            err.println("bpfkit new: this build of bpfkit has no starter templates (" + e + ")");
            return Main.FAILED;
        }
        values.put("package", pkg);
        values.put("packagePath", pkg.replace('.', '/'));
        values.put("groupId", groupId != null ? groupId : pkg);
        values.put("artifactId", artifactId);
        String java = "src/main/java/" + pkg.replace('.', '/') + "/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml.tmpl", "pom.xml");
        files.put("README.md.tmpl", "README.md");
        files.put("gitignore.tmpl", ".gitignore");
        files.put("counter.bpf.c.tmpl", "src/main/bpf/counter.bpf.c");
        files.put("Counter.java.tmpl", java + "Counter.java");
        files.put("Main.java.tmpl", java + "Main.java");
        files.put("CounterTest.java.tmpl", "src/test/java/" + pkg.replace('.', '/') + "/CounterTest.java");
        try {
            for (var f : files.entrySet()) {
                Path target = dir.resolve(f.getValue());
                Files.createDirectories(target.getParent());
                Files.writeString(target, fill(template(f.getKey()), values));
            }
        } catch (IOException | UncheckedIOException e) {
            err.println("bpfkit new: cannot write " + dir + ": " + e.getMessage());
            return Main.FAILED;
        }
        out.println("bpfkit new: wrote " + dir + " (package " + pkg + "); cd " + dir + " && mvn verify");
        return Main.OK;
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static String template(String name) throws IOException {
        try (InputStream in = NewCommand.class.getResourceAsStream(STARTER + name)) {
            if (in == null) {
                throw new IOException("template " + name + " missing from this build of bpfkit");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code {{name}}} replaced by its value; an unknown name is a bug of the templates. */
    static String fill(String text, Map<String, String> values) {
        Matcher m = TOKEN.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("starter template token {{" + m.group(1) + "}} has no value");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        return m.appendTail(sb).toString();
    }
}
