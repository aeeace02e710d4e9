package io.bpfkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bpfkit new} as a new user meets it: the project it writes passes {@code mvn verify}
 * (clang, the processor's check, the kernel test with TestRun), and again with its interface
 * from {@code bpfkit:generate} instead of the hand-written one, offline, with the bpfkit
 * artifacts of this build in a private local repository (target/it-repo, never ~/.m2, which
 * other builds share) over the build's own local repository for everything else.
 */
class NewCommandTest {
    private static final String VERSION = "0.1.0-SNAPSHOT";
    /** Module folder and artifact of what the starter's build resolves. */
    private static final List<List<String>> MODULES = List.of(List.of("api", "bpfkit-api"),
            List.of("object", "bpfkit-object"), List.of("runtime", "bpfkit-runtime"),
            List.of("processor", "bpfkit-processor"), List.of("gen", "bpfkit-gen"),
            List.of("maven-plugin", "bpfkit-maven-plugin"));

    @TempDir
    Path work;

    private final Path root = Path.of(System.getProperty("bpfkit.root"));

    @Test
    @KernelTest
    void theStarterProjectPassesMvnVerifyOffline() throws Exception {
        Path repo = privateRepository();
        Path project = work.resolve("hello-probe");
        MainTest.Run r = MainTest.run("new", project.toString(), "--package", "org.acme.probe");
        assertEquals(0, r.exit(), r.err());

        verify(project, repo);

        // the same project with its interface from bpfkit:generate instead of the hand-written one:
        // Main and the test compile against it and pass, so the generated interface is the same
        Path pom = project.resolve("pom.xml");
        String generate = Files.readString(pom).replace("<goals><goal>compile-bpf</goal></goals>",
                "<goals><goal>compile-bpf</goal><goal>generate</goal></goals>\n"
                + "            <configuration><packageName>org.acme.probe</packageName></configuration>");
        Files.writeString(pom, generate);
        Files.delete(project.resolve("src/main/java/org/acme/probe/Counter.java"));
        verify(project, repo);
        String generated = Files.readString(project.resolve(
                "target/generated-sources/bpfkit/org/acme/probe/Counter.java"));
        assertTrue(generated.contains("@BpfObject(\"counter.bpf.o\")"), generated);
    }

    /** {@code mvn clean verify} of the project, offline; checks the object, the binding and the test run. */
    private void verify(Path project, Path repo) throws Exception {
        Path log = work.resolve("mvn.log");
        Process mvn = new ProcessBuilder(root.resolve("mvnw").toString(), "-o", "-B", "-f",
                project.resolve("pom.xml").toString(), "clean", "verify", "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + System.getProperty("bpfkit.localRepository"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(mvn.waitFor(5, TimeUnit.MINUTES), "mvn verify took over 5 minutes");
        assertEquals(0, mvn.exitValue(), () -> read(log));
        Path classes = project.resolve("target/classes/org/acme/probe");
        assertTrue(Files.exists(classes.resolve("counter.bpf.o")), "the object on the class path");
        assertTrue(Files.exists(classes.resolve("CounterBinding.class")), "the processor's binding");
        String report = read(project.resolve("target/surefire-reports/org.acme.probe.CounterTest.txt"));
        assertTrue(report.contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0"), report);
    }

    @Test
    void refusesAFolderInUseAndBadPackages() throws IOException {
        Path taken = Files.createDirectories(work.resolve("taken"));
        Files.writeString(taken.resolve("pom.xml"), "<project/>");
        MainTest.Run r = MainTest.run("new", taken.toString());
        assertEquals(Main.FAILED, r.exit());
        assertTrue(r.err().contains("exists and is not empty"), r.err());
        assertEquals("<project/>", Files.readString(taken.resolve("pom.xml")), "left alone");
        assertEquals(Main.USAGE, MainTest.run("new", work.resolve("x").toString(), "--package", "Org.Acme").exit());
        assertEquals(Main.USAGE, MainTest.run("new").exit());
        assertTrue(Files.notExists(work.resolve("x")));
    }

    /**
     * This build's bpfkit artifacts laid out as a local repository (a jar and its pom each, the
     * parent and the BOM): what {@code ./mvnw install} would put in ~/.m2.
     */
    private Path privateRepository() throws IOException {
        Path repo = root.resolve("cli/target/it-repo");
        put(repo, "bpfkit-parent", root.resolve("pom.xml"), null);
        put(repo, "bpfkit-bom", root.resolve("bom/pom.xml"), null);
        for (List<String> m : MODULES) {
            Path jar = root.resolve(m.get(0) + "/target/" + m.get(1) + "-" + VERSION + ".jar");
            assertTrue(Files.exists(jar), jar + " is missing: package the reactor first (./mvnw verify)");
            put(repo, m.get(1), root.resolve(m.get(0) + "/pom.xml"), jar);
        }
        return repo;
    }

    private static void put(Path repo, String artifact, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("io/bpfkit/" + artifact + "/" + VERSION));
        Files.copy(pom, dir.resolve(artifact + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return p + ": " + e;
        }
    }
}
