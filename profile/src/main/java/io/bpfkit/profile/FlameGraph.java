package io.bpfkit.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A flame graph of folded stacks, written as a self-contained interactive SVG: one box per frame,
 * as wide as the samples it was on the stack for, callers below their callees (or above, as an
 * icicle). The SVG carries its own CSS and JavaScript and fetches nothing: hovering a frame shows
 * its name, samples and percentage on the details line (and as a tooltip); clicking zooms into it
 * ("Reset Zoom" or clicking the bottom frame zooms out); "Search" (or Ctrl-F) asks for a regular
 * expression, colours the frames it matches in magenta and shows the share of samples they cover
 * (nested matches counted once). The address keeps the view: opening the file with
 * {@code ?s=REGEX} searches on load, {@code ?z=START:DEPTH} zooms into the frame at that depth
 * whose first sample is START (as its {@code data-s} and {@code data-d} attributes say).
 * Colours say what ran, from the folded frames' {@link FrameKind} suffixes: kernel orange, native
 * red, JIT-compiled Java green, interpreted Java aqua; the shade within a hue is derived from the
 * name, so a frame keeps its colour from one graph to the next.
 *
 * <p>Folded stacks are the text that flamegraph.pl and async-profiler read and bpfkit profile
 * writes: one line per stack, frames root first separated by {@code ;}, a space, then a count.
 *
 * <pre>{@code
 * FlameGraph graph = FlameGraph.fromFolded(new StringReader("""
 *         main;parse;read_[k] 3
 *         main;com.example.Hot.loop_[j] 7
 *         """));
 * try (Writer out = Files.newBufferedWriter(Path.of("flame.svg"))) {   // UTF-8
 *     graph.title("CPU").width(1600).minWidth(0.5).writeSvg(out);
 * }
 * }</pre>
 *
 * <p>A flame graph collects stacks and options; it is not thread-safe.
 */
public final class FlameGraph {
    /** The fill of frames a search matched. */
    static final int HIGHLIGHT = 0xe600e6;
    /** The fill of the root frame, "all": it is no code's. */
    static final int ROOT_COLOUR = 0xc8c8c8;

    private static final int X_PAD = 10;
    private static final int FONT_SIZE = 12;
    private static final double FONT_WIDTH = 0.59;
    private static final int TOP = FONT_SIZE * 3;
    private static final int BOTTOM = FONT_SIZE * 2 + 10;

    private final Map<List<String>, Long> stacks = new HashMap<>();
    private String title = "Flame Graph";
    private int width = 1200;
    private double minWidth = 0.1;
    private int frameHeight = 16;
    private boolean icicle;
    private boolean reverse;
    private String countName = "samples";

    private FlameGraph() {
    }

    /** An empty flame graph; {@link #add} stacks to it. */
    public static FlameGraph create() {
        return new FlameGraph();
    }

    /**
     * Reads folded stacks: one stack per line, frames root first separated by {@code ;}, a space
     * (or tab), then a whole count; the counts of a stack that repeats add up and blank lines are
     * skipped. Frame names may contain spaces: the count is what follows the last one.
     *
     * @throws FoldedFormatException on a line without a count, with a count that is not a whole
     *         number {@code >= 0}, with an empty frame, or when a stack's count overflows
     */
    public static FlameGraph fromFolded(Reader folded) throws IOException {
        FlameGraph graph = new FlameGraph();
        BufferedReader lines = folded instanceof BufferedReader b ? b : new BufferedReader(folded);
        int number = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            int split = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\t'));
            if (split < 0) {
                throw new FoldedFormatException(number, line, "no count after the stack (expected 'frame;frame;... COUNT')");
            }
            String count = text.substring(split + 1);
            long samples = parseCount(count);
            if (samples < 0) {
                throw new FoldedFormatException(number, line, "the count '" + count + "' is not a whole number from 0 to "
                        + Long.MAX_VALUE);
            }
            String stack = text.substring(0, split).strip();
            String problem = graph.addStack(stack, samples);
            if (problem != null) {
                throw new FoldedFormatException(number, line, problem);
            }
        }
        return graph;
    }

    /**
     * A flame graph of folded stacks (without their counts: {@code "main;work;read_[k]"}) and their
     * counts, as a profiler aggregates them.
     *
     * @throws IllegalArgumentException naming the stack when one is empty, has an empty frame or a
     *         negative count
     */
    public static FlameGraph fromCounts(Map<String, Long> counts) {
        FlameGraph graph = new FlameGraph();
        counts.forEach(graph::add);
        return graph;
    }

    /**
     * Adds {@code samples} to a folded stack ({@code "main;work;read_[k]"}, no count).
     *
     * @throws IllegalArgumentException naming the stack when it is empty, has an empty frame or the
     *         count is negative or overflows
     */
    public FlameGraph add(String foldedStack, long samples) {
        Objects.requireNonNull(foldedStack, "foldedStack");
        if (samples < 0) {
            throw new IllegalArgumentException("stack '" + foldedStack + "': negative count " + samples);
        }
        String problem = addStack(foldedStack.strip(), samples);
        if (problem != null) {
            throw new IllegalArgumentException("stack '" + foldedStack + "': " + problem);
        }
        return this;
    }

    /** Adds a stack given as frames, root first, each with its kind suffix (see {@link FrameKind#annotate}). */
    public FlameGraph add(List<String> frames, long samples) {
        return add(String.join(";", frames), samples);
    }

    /** Returns the problem, or null when the stack was added. */
    private String addStack(String stack, long samples) {
        if (stack.isEmpty()) {
            return "empty stack";
        }
        String[] frames = stack.split(";", -1);
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].isEmpty()) {
                return "frame " + (i + 1) + " of the stack is empty";
            }
        }
        List<String> key = List.of(frames);
        long before = stacks.getOrDefault(key, 0L);
        if (Long.MAX_VALUE - before < samples) {
            return "the counts of this stack add up to more than " + Long.MAX_VALUE;
        }
        stacks.put(key, before + samples);
        return null;
    }

    private static long parseCount(String count) {
        if (count.isEmpty() || count.length() > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < count.length(); i++) {
            char c = count.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The title drawn at the top; escaped as the SVG needs. Default "Flame Graph". */
    public FlameGraph title(String title) {
        this.title = Objects.requireNonNull(title, "title");
        return this;
    }

    /** The SVG's width in pixels (flamegraph.pl's --width); default 1200. */
    public FlameGraph width(int pixels) {
        if (pixels < 2 * X_PAD + 10) {
            throw new IllegalArgumentException("width " + pixels + " px: at least " + (2 * X_PAD + 10) + " px");
        }
        this.width = pixels;
        return this;
    }

    /**
     * Frames narrower than this many pixels, and all above them, are left out (flamegraph.pl's
     * --minwidth); their samples still count in their callers' widths. Default 0.1; 0 draws all.
     */
    public FlameGraph minWidth(double pixels) {
        if (!(pixels >= 0) || Double.isInfinite(pixels)) {
            throw new IllegalArgumentException("minimum frame width " + pixels + " px: must be a number >= 0");
        }
        this.minWidth = pixels;
        return this;
    }

    /** The height of a frame in pixels (flamegraph.pl's --height); default 16. */
    public FlameGraph frameHeight(int pixels) {
        if (pixels < 4) {
            throw new IllegalArgumentException("frame height " + pixels + " px: at least 4 px");
        }
        this.frameHeight = pixels;
        return this;
    }

    /** Roots at the top and callees hanging below (flamegraph.pl's --inverted); default false. */
    public FlameGraph icicle(boolean icicle) {
        this.icicle = icicle;
        return this;
    }

    /**
     * Merges stacks from their leaves instead of their roots (flamegraph.pl's --reverse): the
     * bottom row shows where the time was spent, the rows above who called it. Default false.
     */
    public FlameGraph reverse(boolean reverse) {
        this.reverse = reverse;
        return this;
    }

    /** What a count counts, in the tooltips ("samples", "bytes", "us"); default "samples". */
    public FlameGraph countName(String countName) {
        this.countName = Objects.requireNonNull(countName, "countName");
        return this;
    }

    /** The sum of all counts. */
    public long totalSamples() {
        long total = 0;
        for (long count : stacks.values()) {
            total = Math.addExact(total, count);
        }
        return total;
    }

    /**
     * The merged tree: the root "all" with every stack's first frame as its children (its last
     * frame when {@link #reverse reversed}), siblings sorted by name, as the SVG draws it before
     * frames narrower than {@link #minWidth} are left out.
     */
    public Frame root() {
        Frame root = new Frame("all", "all", null);
        for (Map.Entry<List<String>, Long> stack : stacks.entrySet()) {
            List<String> frames = stack.getKey();
            if (reverse) {
                frames = new ArrayList<>(frames);
                Collections.reverse(frames);
            }
            long samples = stack.getValue();
            Frame frame = root;
            frame.samples += samples;
            for (String folded : frames) {
                frame = frame.child(folded, true);
                frame.samples += samples;
            }
            frame.self += samples;
        }
        return root;
    }

    /** The stacks as folded lines, sorted, each with its merged count. */
    public void writeFolded(Writer out) throws IOException {
        List<String> lines = new ArrayList<>(stacks.size());
        stacks.forEach((frames, count) -> lines.add(String.join(";", frames) + " " + count));
        Collections.sort(lines);
        for (String line : lines) {
            out.write(line);
            out.write('\n');
        }
    }

    /**
     * One frame of the merged tree: a name (without its kind suffix) on the stack under one path
     * of callers, the samples it was on the stack for ({@link #samples}) and at the top of it
     * ({@link #selfSamples}).
     */
    public static final class Frame {
        private static final Comparator<Frame> BY_FOLDED_NAME = Comparator.comparing(f -> f.folded);

        private final String folded;
        private final String name;
        private final FrameKind kind;
        // hashed while stacks are merged (null while there are none: most frames are leaves),
        // sorted once when read
        private HashMap<String, Frame> children;
        private List<Frame> sorted;
        private long samples;
        private long self;

        private Frame(String folded, String name, FrameKind kind) {
            this.folded = folded;
            this.name = name;
            this.kind = kind;
        }

        /** The name, without the folded kind suffix; "all" for the root. */
        public String name() {
            return name;
        }

        /** What code ran; empty for the root. */
        public Optional<FrameKind> kind() {
            return Optional.ofNullable(kind);
        }

        /** Samples with this frame on the stack (its own and its callees'). */
        public long samples() {
            return samples;
        }

        /** Samples with this frame at the top of the stack. */
        public long selfSamples() {
            return self;
        }

        /** The frames it called, sorted by folded name (name and kind suffix). */
        public List<Frame> children() {
            if (sorted == null) {
                if (children == null) {
                    return sorted = List.of();
                }
                Frame[] all = children.values().toArray(new Frame[0]);
                Arrays.sort(all, BY_FOLDED_NAME);
                sorted = List.of(all);
            }
            return sorted;
        }

        /** The child with this folded name (name and kind suffix), if any. */
        public Optional<Frame> child(String foldedName) {
            return Optional.ofNullable(child(foldedName, false));
        }

        private Frame child(String foldedName, boolean create) {
            if (children == null) {
                if (!create) {
                    return null;
                }
                children = new HashMap<>(4);
            }
            Frame child = children.get(foldedName);
            if (child == null && create) {
                child = new Frame(foldedName, FrameKind.strip(foldedName), FrameKind.of(foldedName));
                children.put(foldedName, child);
            }
            return child;
        }

        @Override
        public String toString() {
            return folded + " " + samples;
        }
    }

    /**
     * The colour of a frame as 0xRRGGBB: a hue per kind, a shade from the name (the same name,
     * the same colour, in every graph).
     */
    static int colour(FrameKind kind, String name) {
        if (kind == null) {
            return ROOT_COLOUR;
        }
        int hash = fnv(name);
        double v1 = (hash & 0xff) / 255.0;
        double v2 = ((hash >>> 8) & 0xff) / 255.0;
        double v3 = ((hash >>> 16) & 0xff) / 255.0;
        int r, g, b;
        switch (kind) {
            case KERNEL -> { // orange
                r = 230 + (int) (25 * v1);
                g = 130 + (int) (50 * v2);
                b = (int) (40 * v3);
            }
            case NATIVE -> { // red
                r = 200 + (int) (55 * v1);
                g = 50 + (int) (50 * v2);
                b = 50 + (int) (40 * v3);
            }
            case JIT -> { // green
                r = 50 + (int) (60 * v1);
                g = 190 + (int) (50 * v2);
                b = 50 + (int) (50 * v3);
            }
            case INTERPRETED -> { // aqua
                r = 50 + (int) (50 * v1);
                g = 180 + (int) (40 * v2);
                b = 210 + (int) (45 * v3);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
        return (r << 16) | (g << 8) | b;
    }

    private static int fnv(String s) {
        int h = 0x811c9dc5;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x01000193;
        }
        // the low bits of FNV-1a mix poorly for short names; fold the high ones in
        return h ^ (h >>> 15) ^ (h >>> 24);
    }

    /** The SVG as a string; see {@link #writeSvg}. */
    public String toSvg() {
        StringWriter out = new StringWriter();
        try {
            writeSvg(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not throw
        }
        return out.toString();
    }

    /**
     * Writes the flame graph as a standalone SVG document (UTF-8 declared: give a writer that
     * encodes UTF-8).
     */
    public void writeSvg(Writer out) throws IOException {
        Frame root = root();
        long total = root.samples;
        double usable = width - 2.0 * X_PAD;
        double scale = total == 0 ? 0 : usable / total;
        List<Placed> placed = new ArrayList<>();
        int omitted = place(root, 0, 0, scale, placed);
        int depth = 0;
        for (Placed p : placed) {
            depth = Math.max(depth, p.depth);
        }
        int height = TOP + (depth + 1) * frameHeight + BOTTOM;
        StringBuilder svg = new StringBuilder(256 + placed.size() * 200);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" onload=\"init(evt)\" data-total=\"").append(total)
                .append("\" data-omitted=\"").append(omitted).append("\">\n");
        svg.append("<style type=\"text/css\"><![CDATA[\n").append(CSS).append("]]></style>\n");
        svg.append("<script type=\"text/ecmascript\"><![CDATA[\n")
                .append("var W = ").append(width).append(", XPAD = ").append(X_PAD)
                .append(", CHAR = ").append(num(FONT_SIZE * FONT_WIDTH))
                .append(", COUNT = \"").append(jsString(countName)).append("\"")
                .append(", HIGHLIGHT = \"").append(rgb(HIGHLIGHT)).append("\";\n")
                .append(SCRIPT).append("]]></script>\n");
        svg.append("<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">")
                .append("<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>")
                .append("</linearGradient></defs>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" fill=\"url(#background)\"/>\n");
        svg.append("<text id=\"title\" x=\"").append(width / 2).append("\" y=\"").append(FONT_SIZE * 2)
                .append("\">").append(escape(title)).append("</text>\n");
        svg.append("<text id=\"unzoom\" class=\"hide\" x=\"").append(X_PAD).append("\" y=\"").append(FONT_SIZE * 2)
                .append("\">Reset Zoom</text>\n");
        svg.append("<text id=\"search\" x=\"").append(width - X_PAD).append("\" y=\"").append(FONT_SIZE * 2)
                .append("\">Search</text>\n");
        int textY = height - BOTTOM / 2;
        svg.append("<text id=\"details\" x=\"").append(X_PAD).append("\" y=\"").append(textY).append("\"> </text>\n");
        svg.append("<text id=\"matched\" x=\"").append(width - X_PAD).append("\" y=\"").append(textY)
                .append("\"> </text>\n");
        if (total == 0) {
            svg.append("<text x=\"").append(width / 2).append("\" y=\"").append(height / 2)
                    .append("\" text-anchor=\"middle\">no samples</text>\n");
        }
        svg.append("<g id=\"frames\">\n");
        out.write(svg.toString());
        svg.setLength(0);
        for (Placed p : placed) {
            frame(svg, p, total, height);
            if (svg.length() > 1 << 16) {
                out.write(svg.toString());
                svg.setLength(0);
            }
        }
        svg.append("</g>\n</svg>\n");
        out.write(svg.toString());
    }

    private record Placed(Frame frame, long start, int depth, double x, double width) {
    }

    /** Lays out frame and its callees at least minWidth wide; returns how many were left out. */
    private int place(Frame frame, long start, int depth, double scale, List<Placed> placed) {
        double w = frame.samples * scale;
        if (frame.samples == 0 || (depth > 0 && w < minWidth)) {
            return count(frame);
        }
        placed.add(new Placed(frame, start, depth, X_PAD + start * scale, w));
        int omitted = 0;
        long childStart = start;
        for (Frame child : frame.children()) {
            omitted += place(child, childStart, depth + 1, scale, placed);
            childStart += child.samples;
        }
        return omitted;
    }

    private static int count(Frame frame) {
        int n = 1;
        if (frame.children != null) {
            for (Frame child : frame.children.values()) {
                n += count(child);
            }
        }
        return n;
    }

    private void frame(StringBuilder svg, Placed p, long total, int height) {
        Frame f = p.frame;
        double y = icicle ? TOP + p.depth * frameHeight : height - BOTTOM - (p.depth + 1) * frameHeight;
        String kind = f.kind == null ? "r" : switch (f.kind) {
            case KERNEL -> "k";
            case NATIVE -> "n";
            case JIT -> "j";
            case INTERPRETED -> "i";
        };
        svg.append("<g class=\"f ").append(kind).append("\" data-s=\"").append(p.start).append("\" data-n=\"")
                .append(f.samples).append("\" data-d=\"").append(p.depth).append("\"><title>").append(escape(f.name))
                .append(" (").append(String.format(Locale.ROOT, "%,d", f.samples)).append(' ')
                .append(escape(countName)).append(", ").append(num(100.0 * f.samples / total)).append("%)</title>");
        svg.append("<rect x=\"").append(num(p.x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(p.width)).append("\" height=\"").append(frameHeight - 1).append("\" fill=\"")
                .append(rgb(colour(f.kind, f.name))).append("\" rx=\"2\" ry=\"2\"/>");
        svg.append("<text x=\"").append(num(p.x + 3)).append("\" y=\"").append(num(y + frameHeight / 2.0 + FONT_SIZE / 2.0 - 2))
                .append("\">").append(escape(fit(f.name, p.width))).append("</text></g>\n");
    }

    /** The name as it fits a frame this wide: whole, cut with "..", or nothing. */
    static String fit(String name, double width) {
        int chars = (int) ((width - 6) / (FONT_SIZE * FONT_WIDTH));
        if (chars < 3) {
            return "";
        }
        if (name.length() <= chars) {
            return name;
        }
        return name.substring(0, chars - 2) + "..";
    }

    static String rgb(int colour) {
        return "rgb(" + (colour >> 16 & 0xff) + "," + (colour >> 8 & 0xff) + "," + (colour & 0xff) + ")";
    }

    private static String num(double v) {
        double rounded = Math.round(v * 100) / 100.0;
        return rounded == Math.rint(rounded) ? Long.toString((long) rounded) : Double.toString(rounded);
    }

    /**
     * Text as XML character data or attribute value: markup characters as entities, characters
     * XML 1.0 cannot carry at all (controls, lone surrogates) as U+FFFD.
     */
    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                default -> {
                    boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xfffe || c == 0xffff;
                    boolean lone = Character.isHighSurrogate(c)
                            ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
                    yield control || lone ? "\ufffd" : null;
                }
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** Text inside a double-quoted JavaScript string in a CDATA section. */
    private static String jsString(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == ']' || c >= 0x7f) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: 12px; fill: rgb(0,0,0); }
            #title { text-anchor: middle; font-size: 17px; }
            #search, #matched { text-anchor: end; }
            #search, #unzoom { cursor: pointer; }
            #search:hover, #unzoom:hover { fill: rgb(0,0,220); }
            .hide { display: none; }
            g.f { cursor: pointer; }
            g.f text { pointer-events: none; }
            g.f:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; }
            g.parent { opacity: 0.5; }
            """;

    /*
     * Frames are <g class="f KIND" data-s=START data-n=SAMPLES data-d=DEPTH> with a <title> that
     * is "NAME (N COUNT, P%)", a <rect> and a <text>. START is the frame's first sample in the
     * whole graph's order, so zooming is arithmetic on samples, not on pixels.
     */
    private static final String SCRIPT = """
            "use strict";
            var frames, rootFrame, details, matched, searchButton, unzoomButton, zoomed = null, searchTerm = null;
            var KINDS = { k: "kernel", n: "native", j: "Java, JIT-compiled", i: "Java, interpreted", r: "" };
            function attr(e, name) { return Number(e.getAttribute(name)); }
            function title(f) { return f.getElementsByTagName("title")[0].textContent; }
            function nameOf(f) { var t = title(f); return t.substring(0, t.lastIndexOf(" (")); }
            function kindOf(f) { return KINDS[f.getAttribute("class").split(" ")[1]]; }
            function init(evt) {
              frames = Array.prototype.slice.call(document.querySelectorAll("g.f"));
              rootFrame = frames.filter(function (f) { return attr(f, "data-d") === 0; })[0];
              details = document.getElementById("details");
              matched = document.getElementById("matched");
              searchButton = document.getElementById("search");
              unzoomButton = document.getElementById("unzoom");
              var group = document.getElementById("frames");
              group.addEventListener("mouseover", function (e) {
                var f = e.target.closest("g.f");
                if (!f) return;
                var kind = kindOf(f);
                var t = title(f);
                details.textContent = nameOf(f) + (kind ? " [" + kind + "]" : "") + t.substring(t.lastIndexOf(" ("));
              });
              group.addEventListener("mouseout", function () { details.textContent = " "; });
              group.addEventListener("click", function (e) {
                var f = e.target.closest("g.f");
                if (f) { f === rootFrame ? unzoom() : zoom(f); }
              });
              unzoomButton.addEventListener("click", unzoom);
              searchButton.addEventListener("click", function () { searchTerm === null ? askSearch() : resetSearch(); });
              window.addEventListener("keydown", function (e) {
                if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && e.keyCode === 70)) { e.preventDefault(); askSearch(); }
                else if (e.keyCode === 27) { resetSearch(); }
              });
              var params = new URLSearchParams(document.location.search);
              var z = /^(\\d+):(\\d+)$/.exec(params.get("z") || "");
              if (z) {
                var target = frames.filter(function (f) {
                  return f.getAttribute("data-s") === z[1] && f.getAttribute("data-d") === z[2];
                })[0];
                if (target) zoom(target);
              }
              if (params.get("s")) search(params.get("s"));
            }
            // the view in the address (?z=START:DEPTH&s=REGEX), so a link or a reload shows the same
            function remember(name, value) {
              try {
                var params = new URLSearchParams(document.location.search);
                if (value === null) params.delete(name); else params.set(name, value);
                var query = params.toString();
                history.replaceState(null, "", document.location.pathname + (query ? "?" + query : ""));
              } catch (e) { /* a viewer without history: the view just is not remembered */ }
            }
            function fit(name, width) {
              var chars = Math.floor((width - 6) / CHAR);
              if (chars < 3) return "";
              return name.length <= chars ? name : name.substring(0, chars - 2) + "..";
            }
            function place(f, x, width) {
              var rect = f.getElementsByTagName("rect")[0], text = f.getElementsByTagName("text")[0];
              rect.setAttribute("x", x.toFixed(2));
              rect.setAttribute("width", width.toFixed(2));
              text.setAttribute("x", (x + 3).toFixed(2));
              text.textContent = fit(nameOf(f), width);
              f.classList.remove("hide");
            }
            function zoom(z) {
              var s = attr(z, "data-s"), n = attr(z, "data-n"), d = attr(z, "data-d");
              var scale = (W - 2 * XPAD) / n;
              frames.forEach(function (f) {
                var fs = attr(f, "data-s"), fn = attr(f, "data-n"), fd = attr(f, "data-d");
                if (fd < d && fs <= s && fs + fn >= s + n) {
                  place(f, XPAD, W - 2 * XPAD);
                  f.classList.add("parent");
                } else if (fd >= d && fs >= s && fs + fn <= s + n) {
                  place(f, XPAD + (fs - s) * scale, fn * scale);
                  f.classList.remove("parent");
                } else {
                  f.classList.add("hide");
                }
              });
              zoomed = z === rootFrame ? null : z;
              unzoomButton.classList.toggle("hide", zoomed === null);
              remember("z", zoomed === null ? null : s + ":" + d);
            }
            function unzoom() { if (rootFrame) zoom(rootFrame); }
            function askSearch() {
              var term = prompt("Search for (a regular expression)", searchTerm === null ? "" : searchTerm);
              if (term) search(term);
            }
            function search(term) {
              var re;
              try { re = new RegExp(term); } catch (e) { matched.textContent = "Bad regular expression: " + e.message; return; }
              resetSearch();
              searchTerm = term;
              var ranges = [];
              frames.forEach(function (f) {
                if (f === rootFrame || !re.test(nameOf(f))) return;
                var rect = f.getElementsByTagName("rect")[0];
                rect.setAttribute("data-fill", rect.getAttribute("fill"));
                rect.setAttribute("fill", HIGHLIGHT);
                f.classList.add("match");
                ranges.push([attr(f, "data-s"), attr(f, "data-s") + attr(f, "data-n")]);
              });
              // nested matches cover the same samples: count the union of their ranges
              ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
              var covered = 0, end = 0;
              ranges.forEach(function (r) {
                if (r[1] > end) { covered += r[1] - Math.max(r[0], end); end = r[1]; }
              });
              var total = rootFrame ? attr(rootFrame, "data-n") : 0;
              var percent = total ? (100 * covered / total).toFixed(2) : "0.00";
              matched.textContent = "Matched: " + percent + "%";
              matched.setAttribute("data-samples", covered);
              searchButton.textContent = "Reset Search";
              remember("s", term);
            }
            function resetSearch() {
              frames.forEach(function (f) {
                if (!f.classList.contains("match")) return;
                var rect = f.getElementsByTagName("rect")[0];
                rect.setAttribute("fill", rect.getAttribute("data-fill"));
                rect.removeAttribute("data-fill");
                f.classList.remove("match");
              });
              searchTerm = null;
              matched.textContent = " ";
              matched.removeAttribute("data-samples");
              searchButton.textContent = "Search";
              remember("s", null);
            }
            """;
}
