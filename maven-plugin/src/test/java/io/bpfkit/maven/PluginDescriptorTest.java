package io.bpfkit.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.maven.plugin.AbstractMojo;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The hand-written {@code META-INF/maven/plugin.xml} cannot drift from {@link CompileBpfMojo}:
 * every field of the Mojo is a described parameter of the same name and type, every parameter
 * is a field, every configuration entry belongs to a parameter, required ones have defaults,
 * and the build filled in the version while leaving Maven's expressions for the user's build.
 */
class PluginDescriptorTest {
    private final Document descriptor = MojoHarness.descriptor();
    private final Element mojo = MojoHarness.mojo(descriptor, "compile-bpf");
    private final Map<String, MojoHarness.Parameter> parameters = MojoHarness.parameters(mojo);

    private static Set<String> fieldNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Field f : CompileBpfMojo.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                names.add(f.getName());
            }
        }
        return names;
    }

    @Test
    void theGoalIsTheMojoClass() throws Exception {
        Element plugin = descriptor.getDocumentElement();
        assertEquals("bpfkit", MojoHarness.text(plugin, "goalPrefix"));
        assertEquals("io.bpfkit", MojoHarness.text(plugin, "groupId"));
        assertEquals("bpfkit-maven-plugin", MojoHarness.text(plugin, "artifactId"));
        String implementation = MojoHarness.text(mojo, "implementation");
        assertEquals(CompileBpfMojo.class.getName(), implementation);
        assertTrue(AbstractMojo.class.isAssignableFrom(Class.forName(implementation)));
        assertNotNull(CompileBpfMojo.class.getConstructor(), "Maven instantiates it with a no-argument constructor");
        // before javac (generate-resources), so the processor finds the objects on the class path
        assertEquals("generate-resources", MojoHarness.text(mojo, "phase"));
    }

    @Test
    void everyFieldIsADescribedParameterAndBack() {
        Set<String> fields = fieldNames();
        assertEquals(fields, parameters.keySet(), "fields of CompileBpfMojo vs <parameter>s of plugin.xml");
        for (MojoHarness.Parameter p : parameters.values()) {
            Field f = Arrays.stream(CompileBpfMojo.class.getDeclaredFields()).filter(x -> x.getName().equals(p.name()))
                    .findFirst().orElseThrow();
            assertEquals(f.getType().getTypeName(), p.type(), "type of parameter " + p.name());
            assertFalse(Modifier.isFinal(f.getModifiers()), p.name() + ": Maven injects it");
            Element described = parameterElement(p.name());
            assertFalse(MojoHarness.text(described, "description").isBlank(), p.name() + " has a description");
            assertEquals("true", MojoHarness.text(described, "editable"), p.name());
        }
    }

    /** bpfkit:generate: after compile-bpf, its fields and parameters one to one, types alike. */
    @Test
    void theGenerateGoalDescribesGenerateMojo() {
        Element generate = MojoHarness.mojo(descriptor, "generate");
        assertEquals(GenerateMojo.class.getName(), MojoHarness.text(generate, "implementation"));
        assertEquals("process-resources", MojoHarness.text(generate, "phase"));
        Map<String, MojoHarness.Parameter> described = MojoHarness.parameters(generate);
        Set<String> fields = new LinkedHashSet<>();
        for (Field f : GenerateMojo.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                fields.add(f.getName());
                assertEquals(f.getType().getTypeName(), described.get(f.getName()).type(), f.getName());
            }
        }
        assertEquals(fields, described.keySet());
        assertEquals("${project.compileSourceRoots}", described.get("compileSourceRoots").defaultValue());
    }

    @Test
    void configurationEntriesMatchTheParameters() {
        for (String name : MojoHarness.configured(mojo)) {
            MojoHarness.Parameter p = parameters.get(name);
            assertNotNull(p, "<configuration> entry " + name + " has no <parameter>");
            assertEquals(p.type(), p.implementation(), "implementation of " + name);
        }
        for (MojoHarness.Parameter p : parameters.values()) {
            if (p.required()) {
                // a user who configures nothing (examples/pom.xml sets only includes and flags) must not fail
                assertNotNull(p.defaultValue(), "required parameter " + p.name() + " has no default-value");
            }
        }
    }

    /** The defaults and the -D properties the Mojo's messages and the README promise. */
    @Test
    void defaultsAndPropertiesAreTheDocumentedOnes() {
        Map<String, String[]> expected = Map.of(
                "sourceDirectory", new String[] {null, "${project.basedir}/src/main/bpf"},
                "outputDirectory", new String[] {null, "${project.build.directory}/bpf"},
                "generatedIncludeDirectory", new String[] {null, "${project.build.directory}/generated-bpf-include"},
                "clang", new String[] {"${bpfkit.clang}", ""},
                "targetArch", new String[] {"${bpfkit.targetArch}", "x86"},
                "vmlinuxBtf", new String[] {"${bpfkit.vmlinuxBtf}", ""},
                "skip", new String[] {"${bpfkit.bpf.skip}", "false"});
        expected.forEach((name, v) -> {
            MojoHarness.Parameter p = parameters.get(name);
            assertNotNull(p, name);
            assertEquals(v[0], p.expression(), "expression of " + name);
            assertEquals(v[1], p.defaultValue(), "default-value of " + name);
        });
        Set<String> unconfigured = new LinkedHashSet<>(parameters.keySet());
        unconfigured.removeAll(expected.keySet());
        assertEquals(Set.of("includeDirectories", "extraFlags", "links"), unconfigured, "lists without defaults");
    }

    /** What this repository's own build configures (examples/pom.xml) are parameters of the goal. */
    @Test
    void theExamplesConfigureOnlyDescribedParameters() throws Exception {
        Path pom = Path.of("..", "examples", "pom.xml");
        Document d;
        try (var in = java.nio.file.Files.newInputStream(pom)) {
            d = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
        var plugins = d.getElementsByTagName("plugin");
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if (!MojoHarness.text(plugin, "artifactId").equals("bpfkit-maven-plugin")) {
                continue;
            }
            var configs = plugin.getElementsByTagName("configuration");
            for (int c = 0; c < configs.getLength(); c++) {
                for (var n = configs.item(c).getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e) {
                        used.add(e.getTagName());
                    }
                }
            }
            var goals = plugin.getElementsByTagName("goal");
            for (int g = 0; g < goals.getLength(); g++) {
                assertEquals("compile-bpf", goals.item(g).getTextContent().strip());
            }
        }
        assertFalse(used.isEmpty(), "examples/pom.xml configures the plugin");
        assertTrue(parameters.keySet().containsAll(used), "examples/pom.xml configures " + used
                + ", the descriptor has " + parameters.keySet());
    }

    @Test
    void filteringFilledTheVersionAndKeptMavensExpressions() throws Exception {
        String xml = java.nio.file.Files.readString(MojoHarness.descriptorPath());
        assertFalse(xml.contains("${project.version}"), "the build fills in the plugin's version");
        assertFalse(xml.contains("\\${"), "escaped expressions are unescaped for Maven");
        String version = MojoHarness.text(descriptor.getDocumentElement(), "version");
        assertFalse(version.isBlank() || version.contains("$"), version);
    }

    private Element parameterElement(String name) {
        var list = MojoHarness.child(mojo, "parameters").getElementsByTagName("parameter");
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            if (MojoHarness.text(e, "name").equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no parameter " + name);
    }
}
