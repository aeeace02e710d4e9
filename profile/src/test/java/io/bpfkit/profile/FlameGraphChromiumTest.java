package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bpfkit.testing.KernelTestExtension;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flame graph as a browser shows it: headless Chromium (Debian's chromium, which scripts/test
 * installs) renders the SVG, and the screenshot's pixels and the DOM after the SVG's own script
 * ran are checked. Without Chromium the test skips with the reason, or fails where kernel tests
 * are required (CI), since there the script has installed it. {@code -Dbpfkit.chromium=PATH}
 * names another binary. Not a kernel test: the QEMU
 * guests of scripts/kernels, which run only those, leave it to the host.
 */
class FlameGraphChromiumTest {
    private static final String FOLDED = """
            main;do_work;write_[k] 30
            main;com.example.Hot.loop_[j] 40
            main;com.example.Hot.loop_[j];java.util.HashMap<K,V>.get_[j] 20
            main;com.example.Slow.run_[i] 10
            """;
    private static final int WIDTH = 800;

    private static Path chromium;

    @TempDir
    static Path dir;

    // before each test, not all: surefire counts and reports each test skipped with the reason
    @BeforeEach
    void findChromium() {
        // -Dbpfkit.chromium=PATH: another build of it (google-chrome takes the same arguments)
        String given = System.getProperty("bpfkit.chromium", "");
        chromium = given.isEmpty() ? onPath("chromium") : Files.isExecutable(Path.of(given)) ? Path.of(given) : null;
        if (chromium == null) {
            String reason = given.isEmpty() ? "no chromium on PATH (scripts/test installs Debian's chromium when root)"
                    : "bpfkit.chromium=" + given + " is not an executable file";
            if (KernelTestExtension.required()) {
                throw new AssertionError(reason + "; required here (bpfkit.kernelTests=require)");
            }
            Assumptions.abort(reason);
        }
    }

    private static Path onPath(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static FlameGraph graph() throws IOException {
        return FlameGraph.fromFolded(new StringReader(FOLDED)).title("Chromium test").width(WIDTH);
    }

    private static Path write(String name, String svg) throws IOException {
        return Files.writeString(dir.resolve(name), svg);
    }

    private static String url(Path svg, String search) {
        String url = svg.toUri().toString();
        return search == null ? url : url + "?s=" + URLEncoder.encode(search, StandardCharsets.UTF_8);
    }

    /** Runs chromium headless on the URL with these extra arguments; returns its standard output. */
    private static String chromium(String url, String... arguments) throws Exception {
        Path profile = Files.createTempDirectory(dir, "profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        command.add(url);
        Path stdout = dir.resolve("chromium.out");
        Path stderr = dir.resolve("chromium.err");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("chromium did not finish in 60 s: " + command + "\n" + Files.readString(stderr));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + process.exitValue() + ": " + command + "\n"
                    + Files.readString(stderr));
        }
        return Files.readString(stdout);
    }

    private static BufferedImage screenshot(Path svg, String search, int height) throws Exception {
        Path png = dir.resolve(svg.getFileName() + (search == null ? "" : ".search") + ".png");
        // headless Chromium paints a viewport some 90 px shorter than the window it screenshots
        chromium(url(svg, search), "--screenshot=" + png, "--window-size=" + WIDTH + "," + (height + 200));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(WIDTH, image.getWidth(), "the screenshot is the window");
        assertTrue(image.getHeight() >= height, "the screenshot holds the whole SVG");
        return image;
    }

    private static void assertColour(int expected, BufferedImage image, SvgFrames.Drawn frame) {
        // a point inside the box but off its text: 2 px into the box from the bottom right corner
        int x = (int) Math.floor(frame.x() + frame.width()) - 3;
        int y = (int) Math.floor(frame.y() + frame.height()) - 3;
        int actual = image.getRGB(x, y) & 0xffffff;
        int distance = Math.abs((actual >> 16 & 0xff) - (expected >> 16 & 0xff))
                + Math.abs((actual >> 8 & 0xff) - (expected >> 8 & 0xff)) + Math.abs((actual & 0xff) - (expected & 0xff));
        assertTrue(distance <= 6, frame.name() + " at (" + x + "," + y + "): expected "
                + FlameGraph.rgb(expected) + ", the screenshot has " + FlameGraph.rgb(actual));
    }

    private static int height(SvgFrames svg) {
        return Integer.parseInt(svg.document().getDocumentElement().getAttribute("height"));
    }

    @Test
    void framesAreDrawnInTheColoursOfTheirKinds() throws Exception {
        String text = graph().toSvg();
        SvgFrames svg = SvgFrames.parse(text);
        BufferedImage image = screenshot(write("kinds.svg", text), null, height(svg));
        assertColour(FlameGraph.colour(FrameKind.KERNEL, "write"), image, svg.get("write"));
        assertColour(FlameGraph.colour(FrameKind.NATIVE, "do_work"), image, svg.get("do_work"));
        assertColour(FlameGraph.colour(FrameKind.JIT, "com.example.Hot.loop"), image, svg.get("com.example.Hot.loop"));
        assertColour(FlameGraph.colour(FrameKind.INTERPRETED, "com.example.Slow.run"), image,
                svg.get("com.example.Slow.run"));
        assertColour(FlameGraph.ROOT_COLOUR, image, svg.get("all"));
        // and nothing is drawn above the deepest frame but the background
        SvgFrames.Drawn top = svg.get("java.util.HashMap<K,V>.get");
        int above = image.getRGB(top.centreX(), (int) top.y() - 4) & 0xffffff;
        assertTrue((above >> 16 & 0xff) > 230 && (above >> 8 & 0xff) > 230, FlameGraph.rgb(above));
    }

    @Test
    void searchFromTheUrlHighlightsTheMatchingFrames() throws Exception {
        String text = graph().toSvg();
        SvgFrames svg = SvgFrames.parse(text);
        Path file = write("search.svg", text);
        BufferedImage image = screenshot(file, "Hot\\.loop|HashMap<K", height(svg));
        assertColour(FlameGraph.HIGHLIGHT, image, svg.get("com.example.Hot.loop"));
        assertColour(FlameGraph.HIGHLIGHT, image, svg.get("java.util.HashMap<K,V>.get"));
        assertColour(FlameGraph.colour(FrameKind.KERNEL, "write"), image, svg.get("write"));
        assertColour(FlameGraph.colour(FrameKind.INTERPRETED, "com.example.Slow.run"), image,
                svg.get("com.example.Slow.run"));
        assertColour(FlameGraph.colour(FrameKind.NATIVE, "main"), image, svg.get("main"));
    }

    @Test
    void searchedDomMarksMatchesAndTheirShare() throws Exception {
        Path file = write("dom.svg", graph().toSvg());
        // Java regular expression syntax that JavaScript shares; a frame's name with its generics
        SvgFrames dom = SvgFrames.parse(chromium(url(file, "^com\\.example\\.|<K,V>"), "--dump-dom"));
        String highlight = FlameGraph.rgb(FlameGraph.HIGHLIGHT);
        for (String name : List.of("com.example.Hot.loop", "java.util.HashMap<K,V>.get", "com.example.Slow.run")) {
            assertTrue(dom.get(name).matched(), name);
            assertEquals(highlight, dom.get(name).fill(), name);
        }
        for (String name : List.of("all", "main", "do_work", "write")) {
            assertFalse(dom.get(name).matched(), name);
            assertFalse(highlight.equals(dom.get(name).fill()), name);
        }
        assertEquals(FlameGraph.rgb(FlameGraph.colour(FrameKind.KERNEL, "write")), dom.get("write").fill());
        // Hot.loop (60) and Slow.run (10) cover 70 of 100 samples; HashMap.get is inside Hot.loop
        assertEquals("Matched: 70.00%", dom.byId("matched").getTextContent());
        assertEquals("70", dom.byId("matched").getAttribute("data-samples"));
        assertEquals("Reset Search", dom.byId("search").getTextContent());
    }

    @Test
    void zoomFromTheUrlWidensTheFrameAndItsCalleesAndHidesTheRest() throws Exception {
        String text = graph().toSvg();
        SvgFrames.Drawn hot = SvgFrames.parse(text).get("com.example.Hot.loop");
        String zoom = "?z=" + hot.start() + ":" + hot.depth();
        SvgFrames dom = SvgFrames.parse(chromium(write("zoom.svg", text).toUri() + zoom, "--dump-dom"));
        double full = WIDTH - 20;
        assertEquals(full, dom.get("com.example.Hot.loop").width(), 0.01);
        assertEquals(10, dom.get("com.example.Hot.loop").x(), 0.01);
        // HashMap.get: 20 of Hot.loop's 60 samples, now a third of the width, its name no longer cut
        SvgFrames.Drawn get = dom.get("java.util.HashMap<K,V>.get");
        assertEquals(full / 3, get.width(), 0.01);
        assertEquals("java.util.HashMap<K,V>.get", get.text());
        for (String caller : List.of("all", "main")) {
            assertEquals(full, dom.get(caller).width(), 0.01, caller);
            assertTrue(dom.get(caller).classes().contains("parent"), caller + " is drawn faded");
        }
        for (String other : List.of("do_work", "write", "com.example.Slow.run")) {
            assertTrue(dom.get(other).classes().contains("hide"), other + " is hidden");
        }
        assertFalse(dom.byId("unzoom").getAttribute("class").contains("hide"), "Reset Zoom is shown");
    }
}
