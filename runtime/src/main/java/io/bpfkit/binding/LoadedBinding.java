package io.bpfkit.binding;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.LoadException;
import io.bpfkit.api.map.BpfGlobals;
import io.bpfkit.link.AutoAttach;
import io.bpfkit.load.LoadedObject;
import io.bpfkit.load.LoadedProgram;
import io.bpfkit.map.BpfMaps;
import io.bpfkit.object.GlobalVariable;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a loaded binding owns: the loaded object and the handles resolved from it at load.
 * Closing it closes the handles (newest first), then the object with its links, programs and
 * maps; idempotent. A binding whose construction fails calls {@link #closeAfter} so nothing
 * leaks.
 */
public final class LoadedBinding implements AutoCloseable {
    private final LoadedObject object;
    private final List<AutoCloseable> handles = new ArrayList<>();
    private final Map<String, BpfGlobals> sections = new LinkedHashMap<>();

    public LoadedBinding(LoadedObject object) {
        this.object = object;
    }

    public LoadedObject object() {
        return object;
    }

    /** Keeps {@code handle} to close with the binding, and returns it. */
    public <H extends AutoCloseable> H own(H handle) {
        handles.add(handle);
        return handle;
    }

    /**
     * The loaded program {@code name}, attached when {@code autoAttach} (the link belongs to the
     * object); null when it was not loaded.
     */
    public BpfProgram program(String name, boolean autoAttach) {
        LoadedProgram p = object.program(name).orElse(null);
        if (p != null && autoAttach) {
            object.own(AutoAttach.attach(p));
        }
        return p;
    }

    /**
     * The bytes of global {@code variable} in its section's shared mapping.
     *
     * @throws LoadException when the object has no such variable
     */
    public MemorySegment variable(String variable) {
        GlobalVariable v = Bindings.variable(object.spec(), variable);
        // .rodata is mapped PROT_READ and its handle hands out read-only views: a write is an
        // exception, not a SIGSEGV
        return globals(v.section()).variable(variable);
    }

    /**
     * The mapped global data section {@code section} ({@code .bss}, {@code .rodata},
     * {@code .data.NAME}, ...), made once and shared by every variable of the section;
     * read-only for {@code .rodata}.
     */
    public BpfGlobals globals(String section) {
        BpfGlobals g = sections.get(section);
        if (g == null) {
            g = own(BpfMaps.globals(object, section));
            sections.put(section, g);
        }
        return g;
    }

    /** Closes what {@code failed} construction made, and returns {@code failure} to rethrow. */
    public <E extends Throwable> E closeAfter(E failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable h : handles.reversed()) {
            try {
                h.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
        handles.clear();
        sections.clear();
        object.close();
        if (first != null) {
            throw first;
        }
    }
}
