package io.bpfkit.maven;

/**
 * One object {@code bpfkit:compile-bpf} links from several sources ({@code <links><link>}): each
 * source is compiled as usual, then the objects are linked ({@code io.bpfkit.linker.BpfLinker},
 * as {@code bpftool gen object} does) into {@code OUTPUT/NAME.bpf.o}.
 *
 * <pre>{@code
 * <links>
 *   <link>
 *     <name>app</name>
 *     <sources><source>probes.bpf.c</source><source>helpers.bpf.c</source></sources>
 *   </link>
 * </links>
 * }</pre>
 */
public class Link {
    private String name;
    private String[] sources;

    /** The linked object's name: {@code NAME.bpf.o}. */
    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** The {@code .bpf.c} files of the source folder it is linked from, in link order. */
    public String[] getSources() {
        return sources == null ? new String[0] : sources.clone();
    }

    public void setSources(String[] sources) {
        this.sources = sources == null ? null : sources.clone();
    }
}
