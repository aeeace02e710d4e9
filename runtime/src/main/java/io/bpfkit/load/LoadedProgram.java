package io.bpfkit.load;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.uapi.ProgInfo;

/** A program in the kernel, owned by its {@link LoadedObject}. */
public final class LoadedProgram implements BpfProgram {
    private final ProgramSpec spec;
    private final OwnedFd fd;
    private final LinkedProgram linked;

    LoadedProgram(ProgramSpec spec, OwnedFd fd, LinkedProgram linked) {
        this.spec = spec;
        this.fd = fd;
        this.linked = linked;
    }

    @Override
    public String name() {
        return spec.name();
    }

    public ProgramSpec spec() {
        return spec;
    }

    /** The program's file descriptor; closed with the loaded object. */
    public OwnedFd fd() {
        return fd;
    }

    @Override
    public int fileDescriptor() {
        return fd.get();
    }

    /** What was handed to the kernel: the program with its subprograms, relocated. */
    public LinkedProgram linked() {
        return linked;
    }

    /** The kernel's view: id, tag, translated and jited sizes. */
    public ProgInfo info() {
        return Bpf.progInfo(fd);
    }

    @Override
    public String toString() {
        return "LoadedProgram[" + name() + ", " + fd + "]";
    }
}
