package io.bpfkit.profile;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The frames of a flame graph SVG (or of the DOM Chromium dumps), parsed as XML. */
record SvgFrames(Document document, Map<String, Drawn> byName) {

    /** One drawn frame: the name from its title, its class, its rectangle and text. */
    record Drawn(String name, String title, String kindClass, List<String> classes, long start, int depth,
            double x, double y, double width, double height, String fill, String text) {
        boolean matched() {
            return classes.contains("match");
        }

        int centreX() {
            return (int) Math.round(x + width / 2);
        }

        int centreY() {
            return (int) Math.round(y + height / 2);
        }
    }

    /** Parses the text as XML (so it fails when the SVG is not well-formed). */
    static SvgFrames parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Map<String, Drawn> frames = new LinkedHashMap<>();
        NodeList groups = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String[] classes = g.getAttribute("class").split(" ");
            if (!classes[0].equals("f")) {
                continue;
            }
            String title = child(g, "title").getTextContent();
            String name = title.substring(0, title.lastIndexOf(" ("));
            Element rect = child(g, "rect");
            Drawn drawn = new Drawn(name, title, classes[1], List.of(classes),
                    Long.parseLong(g.getAttribute("data-s")), Integer.parseInt(g.getAttribute("data-d")),
                    Double.parseDouble(rect.getAttribute("x")), Double.parseDouble(rect.getAttribute("y")),
                    Double.parseDouble(rect.getAttribute("width")), Double.parseDouble(rect.getAttribute("height")),
                    rect.getAttribute("fill"), child(g, "text").getTextContent());
            if (frames.put(name, drawn) != null) {
                throw new AssertionError("two frames named " + name + "; the tests use unique names");
            }
        }
        return new SvgFrames(document, frames);
    }

    Drawn get(String name) {
        Drawn drawn = byName.get(name);
        if (drawn == null) {
            throw new AssertionError("no frame " + name + " among " + byName.keySet());
        }
        return drawn;
    }

    Element byId(String id) {
        NodeList all = document.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (id.equals(e.getAttribute("id"))) {
                return e;
            }
        }
        throw new AssertionError("no element with id " + id);
    }

    private static Element child(Element parent, String local) {
        NodeList list = parent.getElementsByTagNameNS("http://www.w3.org/2000/svg", local);
        if (list.getLength() == 0) {
            throw new AssertionError("no <" + local + "> in frame group");
        }
        return (Element) list.item(0);
    }
}
