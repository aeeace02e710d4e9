package io.bpfkit.maven;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Runs {@link CompileBpfMojo} as Maven would, without Maven: the plugin's own descriptor (the
 * filtered {@code META-INF/maven/plugin.xml} the jar ships) gives each parameter its type,
 * expression and default value, which are evaluated for a project in a temporary folder and
 * injected into the Mojo's fields; a test overrides what a user's {@code <configuration>} or
 * {@code -D} would.
 */
final class MojoHarness {
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");

    private MojoHarness() {
    }

    /** A parameter of the descriptor: {@code <parameter>} with its {@code <configuration>} entry. */
    record Parameter(String name, String type, boolean required, String expression, String defaultValue,
                     String implementation) {
    }

    /** The shipped descriptor: target/classes/META-INF/maven/plugin.xml, after resource filtering. */
    static Path descriptorPath() {
        try {
            Path classes = Path.of(CompileBpfMojo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.resolve("META-INF/maven/plugin.xml");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Document descriptor() {
        try (InputStream in = Files.newInputStream(descriptorPath())) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder().parse(in);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + descriptorPath() + ": " + e, e);
        }
    }

    /** The {@code <mojo>} of goal {@code goal}. */
    static Element mojo(Document d, String goal) {
        NodeList mojos = d.getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            Element m = (Element) mojos.item(i);
            if (text(m, "goal").equals(goal)) {
                return m;
            }
        }
        throw new IllegalStateException("plugin.xml has no goal " + goal);
    }

    /** Every parameter of {@code mojo}, in descriptor order. */
    static Map<String, Parameter> parameters(Element mojo) {
        Element config = child(mojo, "configuration");
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Element p : children(child(mojo, "parameters"), "parameter")) {
            String name = text(p, "name");
            Element c = config == null ? null : child(config, name);
            String expression = c == null || c.getTextContent().isBlank() ? null : c.getTextContent().strip();
            String def = c == null || !c.hasAttribute("default-value") ? null : c.getAttribute("default-value");
            String impl = c == null || !c.hasAttribute("implementation") ? null : c.getAttribute("implementation");
            out.put(name, new Parameter(name, text(p, "type"), Boolean.parseBoolean(text(p, "required")), expression,
                    def, impl));
        }
        return out;
    }

    /** The names of the {@code <configuration>} entries of {@code mojo}. */
    static List<String> configured(Element mojo) {
        List<String> names = new ArrayList<>();
        Element config = child(mojo, "configuration");
        for (Node n = config == null ? null : config.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                names.add(e.getTagName());
            }
        }
        return names;
    }

    /**
     * A Mojo for the project in {@code basedir}, every parameter set from the descriptor as Maven
     * sets it (the expression's property when {@code properties} has it, else the default value;
     * relative files against the base folder), then {@code overrides} on top.
     */
    static CompileBpfMojo mojo(Path basedir, Map<String, String> properties, Map<String, Object> overrides,
            Log log) {
        CompileBpfMojo mojo = new CompileBpfMojo();
        mojo.setLog(log);
        for (Parameter p : parameters(mojo(descriptor(), "compile-bpf")).values()) {
            String raw = p.expression() == null ? null : evaluate(p.expression(), basedir, properties);
            if (raw == null) {
                raw = p.defaultValue() == null ? null : evaluate(p.defaultValue(), basedir, properties);
            }
            if (raw != null) {
                set(mojo, p.name(), convert(raw, p.type(), basedir));
            }
        }
        overrides.forEach((name, value) -> set(mojo, name, value));
        return mojo;
    }

    /**
     * {@code ${project.basedir}}, {@code ${project.build.directory}} and properties; null when
     * a property is unset (Maven then uses the default value).
     */
    private static String evaluate(String text, Path basedir, Map<String, String> properties) {
        Matcher m = EXPRESSION.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "project.basedir" -> basedir.toString();
                case "project.build.directory" -> basedir.resolve("target").toString();
                default -> properties.get(m.group(1));
            };
            if (value == null) {
                return null;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Object convert(String raw, String type, Path basedir) {
        return switch (type) {
            case "java.io.File" -> {
                File f = new File(raw);
                yield f.isAbsolute() ? f : basedir.resolve(raw).toFile();
            }
            case "java.lang.String" -> raw;
            case "boolean" -> Boolean.parseBoolean(raw);
            default -> throw new IllegalStateException("no conversion of a default value to " + type);
        };
    }

    static void set(CompileBpfMojo mojo, String name, Object value) {
        try {
            Field f = CompileBpfMojo.class.getDeclaredField(name);
            f.setAccessible(true);
            f.set(mojo, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CompileBpfMojo has no parameter field " + name + ": " + e, e);
        }
    }

    static String text(Element parent, String tag) {
        Element c = child(parent, tag);
        return c == null ? "" : c.getTextContent().strip();
    }

    static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Writes {@code text} to {@code dir/name}, making the folders. */
    static Path write(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), text);
    }

    /**
     * The log lines a run printed, as "level text" (the Mojo logs text only, so the four text
     * methods are all it needs; the others still print).
     */
    static final class RecordingLog extends SystemStreamLog {
        final List<String> lines = new ArrayList<>();

        List<String> info() {
            return lines.stream().filter(l -> l.startsWith("info ")).map(l -> l.substring(5)).toList();
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public void debug(CharSequence content) {
            lines.add("debug " + content);
        }

        @Override
        public void info(CharSequence content) {
            lines.add("info " + content);
        }

        @Override
        public void warn(CharSequence content) {
            lines.add("warn " + content);
        }

        @Override
        public void error(CharSequence content) {
            lines.add("error " + content);
        }
    }
}
