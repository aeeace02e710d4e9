package io.bpfkit.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlameGraphTest {
    private static final double EPS = 0.011; // the SVG's coordinates have two decimals

    private static FlameGraph folded(String text) throws IOException {
        return FlameGraph.fromFolded(new StringReader(text));
    }

    private static FlameGraph.Frame child(FlameGraph.Frame parent, String folded) {
        return parent.child(folded).orElseThrow(() -> new AssertionError(parent + " has no child " + folded
                + ": " + parent.children()));
    }

    @Test
    void mergesRepeatedStacksAndSharedPrefixes() throws IOException {
        FlameGraph graph = folded("""
                main;parse;read_[k] 3

                main;parse;read_[k] 2\r
                main;parse 1
                  main;com.example.Hot.loop_[j] 7
                main;operator new(unsigned long);malloc 4
                main;Foo.slow_[i]\t5
                """);
        assertEquals(22, graph.totalSamples());
        FlameGraph.Frame root = graph.root();
        assertEquals("all", root.name());
        assertTrue(root.kind().isEmpty());
        assertEquals(22, root.samples());
        FlameGraph.Frame main = child(root, "main");
        assertEquals(22, main.samples());
        assertEquals(0, main.selfSamples());
        assertEquals(FrameKind.NATIVE, main.kind().orElseThrow());
        FlameGraph.Frame parse = child(main, "parse");
        assertEquals(6, parse.samples());
        assertEquals(1, parse.selfSamples());
        FlameGraph.Frame read = child(parse, "read_[k]");
        assertEquals("read", read.name());
        assertEquals(FrameKind.KERNEL, read.kind().orElseThrow());
        assertEquals(5, read.samples());
        assertEquals(5, read.selfSamples());
        FlameGraph.Frame hot = child(main, "com.example.Hot.loop_[j]");
        assertEquals(FrameKind.JIT, hot.kind().orElseThrow());
        assertEquals(7, hot.samples());
        assertEquals(FrameKind.INTERPRETED, child(main, "Foo.slow_[i]").kind().orElseThrow());
        // a name with spaces: the count is what follows the last one
        assertEquals(4, child(child(main, "operator new(unsigned long)"), "malloc").samples());
        // siblings in name order, as the SVG draws them left to right
        assertEquals(List.of("Foo.slow", "com.example.Hot.loop", "operator new(unsigned long)", "parse"),
                main.children().stream().map(FlameGraph.Frame::name).toList());
    }

    @Test
    void aMethodBothInterpretedAndCompiledIsTwoFrames() throws IOException {
        // a Java method interpreted in some samples and JIT-compiled in others: two frames
        FlameGraph.Frame main = child(folded("main;A.f_[i] 1\nmain;A.f_[j] 2\n").root(), "main");
        assertEquals(2, main.children().size());
        assertEquals(1, child(main, "A.f_[i]").samples());
        assertEquals(2, child(main, "A.f_[j]").samples());
    }

    @Test
    void badLinesNameTheirNumberAndContent() {
        record Bad(String input, int line, String problem) {
        }
        for (Bad bad : List.of(
                new Bad("a;b 1\nmain;work\n", 2, "no count"),
                new Bad("a;b 1\n\nmain;work x\n", 3, "the count 'x' is not a whole number"),
                new Bad("main;work -3\n", 1, "the count '-3'"),
                new Bad("main;work 1.5\n", 1, "the count '1.5'"),
                new Bad("main;work 99999999999999999999\n", 1, "the count '99999999999999999999'"),
                new Bad("main;;work 2\n", 1, "frame 2 of the stack is empty"),
                new Bad("main;work; 2\n", 1, "frame 3 of the stack is empty"),
                new Bad("a 1\nb 9223372036854775807\nb 1\n", 3, "add up to more than"),
                new Bad("42\n", 1, "no count"))) {
            FoldedFormatException e = assertThrows(FoldedFormatException.class, () -> folded(bad.input),
                    bad.input);
            assertEquals(bad.line, e.lineNumber(), e.getMessage());
            assertTrue(e.getMessage().startsWith("folded stacks, line " + bad.line + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(bad.problem), e.getMessage());
            assertTrue(e.getMessage().endsWith(": " + e.line().strip()) || e.getMessage().endsWith(": " + e.line()),
                    e.getMessage());
            assertTrue(bad.input.contains(e.line()), e.line());
        }
        String huge = "x".repeat(10_000) + " y";
        FoldedFormatException e = assertThrows(FoldedFormatException.class, () -> folded(huge));
        assertTrue(e.getMessage().length() < 400, "a long line is shortened in the message");
        assertTrue(e.getMessage().endsWith("(10002 characters)"), e.getMessage());
    }

    @Test
    void countsFromAMapBuildTheSameTree() throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("main;parse;read_[k]", 5L);
        counts.put("main;parse", 1L);
        counts.put("main;com.example.Hot.loop_[j]", 7L);
        FlameGraph fromMap = FlameGraph.fromCounts(counts);
        FlameGraph fromText = folded("main;parse;read_[k] 2\nmain;parse;read_[k] 3\nmain;parse 1\n"
                + "main;com.example.Hot.loop_[j] 7\n");
        StringWriter a = new StringWriter();
        StringWriter b = new StringWriter();
        fromMap.writeFolded(a);
        fromText.writeFolded(b);
        assertEquals(b.toString(), a.toString());
        assertEquals("main;com.example.Hot.loop_[j] 7\nmain;parse 1\nmain;parse;read_[k] 5\n", a.toString());
        assertEquals(fromText.toSvg(), fromMap.toSvg());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlameGraph.fromCounts(Map.of("main;;x", 1L)));
        assertTrue(e.getMessage().contains("'main;;x'") && e.getMessage().contains("frame 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlameGraph.fromCounts(Map.of("main", -1L)));
        assertTrue(e.getMessage().contains("negative count -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlameGraph.create().add(" ", 1));
        assertTrue(e.getMessage().contains("empty stack"), e.getMessage());
        assertEquals(3, FlameGraph.create().add(List.of("a", FrameKind.KERNEL.annotate("b")), 3).root()
                .child("a").orElseThrow().child("b_[k]").orElseThrow().samples());
    }

    @Test
    void widthsAreProportionalToSamples() throws Exception {
        FlameGraph graph = folded("a;b 3\na;c 1\n").width(1000);
        SvgFrames svg = SvgFrames.parse(graph.toSvg());
        SvgFrames.Drawn all = svg.get("all");
        SvgFrames.Drawn a = svg.get("a");
        SvgFrames.Drawn b = svg.get("b");
        SvgFrames.Drawn c = svg.get("c");
        assertEquals(980, all.width(), EPS, "the root spans the image but its 10 px margins");
        assertEquals(10, all.x(), EPS);
        assertEquals(all.width(), a.width(), EPS, "a is on every stack");
        assertEquals(3 * c.width(), b.width(), EPS);
        assertEquals(a.width(), b.width() + c.width(), EPS);
        assertEquals(a.x(), b.x(), EPS, "b is a's first callee");
        assertEquals(b.x() + b.width(), c.x(), EPS, "c follows b");
        // a flame: callees above callers, one row each
        assertEquals(all.y() - a.y(), a.y() - b.y(), EPS);
        assertTrue(b.y() < a.y() && a.y() < all.y());
        assertEquals(b.y(), c.y(), EPS);
        assertEquals("b (3 samples, 75%)", b.title());
        assertEquals("c (1 samples, 25%)", c.title());
        assertEquals("1000", svg.document().getDocumentElement().getAttribute("width"));
        assertEquals("4", svg.document().getDocumentElement().getAttribute("data-total"));

        SvgFrames icicle = SvgFrames.parse(graph.icicle(true).toSvg());
        assertTrue(icicle.get("all").y() < icicle.get("a").y() && icicle.get("a").y() < icicle.get("b").y(),
                "an icicle hangs from its root");
        assertEquals(b.width(), icicle.get("b").width(), EPS);
    }

    @Test
    void reverseMergesFromTheLeaves() throws Exception {
        FlameGraph graph = folded("a;x;leaf 3\nb;leaf 1\nc;other 2\n").reverse(true);
        FlameGraph.Frame leaf = child(graph.root(), "leaf");
        assertEquals(4, leaf.samples());
        assertEquals(3, child(child(leaf, "x"), "a").samples());
        assertEquals(1, child(leaf, "b").samples());
        assertEquals(2, child(child(graph.root(), "other"), "c").samples());
        SvgFrames svg = SvgFrames.parse(graph.toSvg());
        assertEquals(2 * svg.get("other").width(), svg.get("leaf").width(), EPS);
    }

    @Test
    void namesAndTitleAreEscaped() throws Exception {
        String cpp = "std::map<int, std::string>::operator[](int const&)";
        String java = "java.util.HashMap<K,V>.get(\"key\", 'c')";
        String odd = "ctl\u0001char & lone \ud800 surrogate";
        FlameGraph graph = FlameGraph.create().add(List.of("main", cpp), 2).add(List.of("main", java + "_[j]"), 1)
                .add(List.of("main", odd), 1).title("<b>\"profile\" & 'more'</b>").width(2000);
        String text = graph.toSvg();
        assertFalse(text.contains("<int"), "raw generics would break the XML");
        SvgFrames svg = SvgFrames.parse(text);
        assertEquals(cpp, svg.get(cpp).name());
        assertEquals(cpp, svg.get(cpp).text(), "wide enough for the whole name");
        assertEquals(java, svg.get(java).name());
        assertEquals("ctl\ufffdchar & lone \ufffd surrogate", svg.byName().keySet().stream()
                .filter(n -> n.startsWith("ctl")).findFirst().orElseThrow());
        assertEquals("<b>\"profile\" & 'more'</b>", svg.byId("title").getTextContent());
        assertEquals("2,000 bytes", FlameGraph.create().add("a", 2000).countName("bytes").toSvg()
                .replaceAll("(?s).*<title>a \\((2,000 bytes).*", "$1"));
    }

    @Test
    void textIsCutToFitItsFrame() throws Exception {
        String longName = "com.example.VeryLongClassName.withAVeryLongMethodName";
        SvgFrames svg = SvgFrames.parse(folded("main;" + longName + " 1\nmain;other 19\n").width(400).toSvg());
        SvgFrames.Drawn frame = svg.get(longName);
        assertEquals(19, frame.width(), 0.5);
        assertEquals("", frame.text(), "a 19 px frame has room for no text");
        svg = SvgFrames.parse(folded("main;" + longName + " 1\nmain;other 3\n").width(400).toSvg());
        frame = svg.get(longName);
        assertTrue(frame.text().endsWith("..") && longName.startsWith(frame.text().replace("..", "")),
                frame.text());
        // 7.08 px per character at 12 px, 6 px of padding
        assertTrue(frame.text().length() * 7.08 <= frame.width() - 6, frame.text() + " in " + frame.width());
        assertEquals(longName, svg.get(longName).name(), "the tooltip keeps the whole name");
    }

    @Test
    void framesBelowTheMinimumWidthAreLeftOutWithTheirSamplesKept() throws Exception {
        FlameGraph graph = folded("a;big 1000\na;small;deeper;deepest 1\n").width(1020);
        // 1000 px for 1001 samples: small is 0.999 px wide
        SvgFrames all = SvgFrames.parse(graph.minWidth(0).toSvg());
        assertEquals(0.999, all.get("small").width(), EPS);
        assertTrue(all.byName().containsKey("deepest"));
        assertEquals("0", all.document().getDocumentElement().getAttribute("data-omitted"));

        SvgFrames some = SvgFrames.parse(graph.minWidth(1).toSvg());
        assertFalse(some.byName().containsKey("small"));
        assertFalse(some.byName().containsKey("deepest"), "the frames above a left-out frame go too");
        assertEquals("3", some.document().getDocumentElement().getAttribute("data-omitted"));
        assertEquals(1000, some.get("a").width(), EPS, "a keeps the samples of the frames left out");
        assertEquals(1000 * 1000 / 1001.0, some.get("big").width(), EPS);
        assertEquals("a (1,001 samples, 100%)", some.get("a").title());
        // the depth of the image follows the frames drawn
        double allHeight = Double.parseDouble(all.document().getDocumentElement().getAttribute("height"));
        double someHeight = Double.parseDouble(some.document().getDocumentElement().getAttribute("height"));
        assertEquals(2 * 16, allHeight - someHeight, EPS);

        assertThrows(IllegalArgumentException.class, () -> graph.minWidth(-1));
        assertThrows(IllegalArgumentException.class, () -> graph.minWidth(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> graph.width(5));
    }

    @Test
    void coloursFollowTheKindAndTheName() throws Exception {
        String[] names = {"main", "do_syscall_64", "com.example.Hot.loop", "java.lang.String.hashCode", "a", "b"};
        for (String name : names) {
            int kernel = FlameGraph.colour(FrameKind.KERNEL, name);
            int nativ = FlameGraph.colour(FrameKind.NATIVE, name);
            int jit = FlameGraph.colour(FrameKind.JIT, name);
            int interpreted = FlameGraph.colour(FrameKind.INTERPRETED, name);
            assertEquals(kernel, FlameGraph.colour(FrameKind.KERNEL, name), "deterministic");
            // hue families: orange, red, green, aqua
            assertTrue(r(kernel) >= 230 && g(kernel) >= 130 && b(kernel) < 40, Integer.toHexString(kernel));
            assertTrue(r(nativ) >= 200 && g(nativ) < 100 && b(nativ) < 90, Integer.toHexString(nativ));
            assertTrue(g(jit) >= 190 && r(jit) < 110 && b(jit) < 100, Integer.toHexString(jit));
            assertTrue(b(interpreted) >= 210 && g(interpreted) >= 180 && r(interpreted) < 100,
                    Integer.toHexString(interpreted));
        }
        assertNotEquals(FlameGraph.colour(FrameKind.NATIVE, "main"), FlameGraph.colour(FrameKind.NATIVE, "mainx"),
                "shades differ by name");
        SvgFrames svg = SvgFrames.parse(folded("main;read_[k] 1\nmain;Hot.loop_[j] 1\nmain;Slow.run_[i] 1\n")
                .toSvg());
        assertEquals(FlameGraph.rgb(FlameGraph.colour(FrameKind.KERNEL, "read")), svg.get("read").fill());
        assertEquals(FlameGraph.rgb(FlameGraph.colour(FrameKind.JIT, "Hot.loop")), svg.get("Hot.loop").fill());
        assertEquals(FlameGraph.rgb(FlameGraph.colour(FrameKind.INTERPRETED, "Slow.run")),
                svg.get("Slow.run").fill());
        assertEquals(FlameGraph.rgb(FlameGraph.colour(FrameKind.NATIVE, "main")), svg.get("main").fill());
        assertEquals("k", svg.get("read").kindClass());
        assertEquals("j", svg.get("Hot.loop").kindClass());
        assertEquals("i", svg.get("Slow.run").kindClass());
        assertEquals("n", svg.get("main").kindClass());
    }

    @Test
    void anEmptyGraphIsAnEmptyPicture() throws Exception {
        FlameGraph graph = folded("\n\n");
        assertEquals(0, graph.totalSamples());
        SvgFrames svg = SvgFrames.parse(graph.toSvg());
        assertTrue(svg.byName().isEmpty());
        assertTrue(graph.toSvg().contains(">no samples</text>"));
        // stacks counted 0 times draw nothing either
        assertTrue(SvgFrames.parse(folded("a;b 0\n").toSvg()).byName().isEmpty());
    }

    @Test
    void theSvgFetchesNothing() throws Exception {
        String svg = folded("a;b 1\n").toSvg();
        assertFalse(svg.contains("<!DOCTYPE"), "no external DTD");
        assertFalse(svg.contains("href"), "no linked script, style or image");
        assertFalse(svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").contains("://"),
                "no URL but the SVG namespace");
        assertTrue(svg.contains("<script type=\"text/ecmascript\"><![CDATA["));
        assertTrue(svg.contains("<style type=\"text/css\"><![CDATA["));
    }

    private static int r(int rgb) {
        return rgb >> 16 & 0xff;
    }

    private static int g(int rgb) {
        return rgb >> 8 & 0xff;
    }

    private static int b(int rgb) {
        return rgb & 0xff;
    }
}
