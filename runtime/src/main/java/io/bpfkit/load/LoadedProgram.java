package io.bpfkit.load;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.feature.KernelFeatures;
import io.bpfkit.object.ProgramSpec;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.uapi.ProgInfo;

/** A program in the kernel, owned by its {@link LoadedObject}. */
public final class LoadedProgram implements BpfProgram {
    private final ProgramSpec spec;
    private final OwnedFd fd;
    private final LinkedProgram linked;
    private final KernelFeatures features;

    LoadedProgram(ProgramSpec spec, OwnedFd fd, LinkedProgram linked, KernelFeatures features) {
        this.spec = spec;
        this.fd = fd;
        this.linked = linked;
        this.features = features;
    }

    /**
     * What the kernel can do for this program: {@link KernelFeatures#running()}, or, for a
     * program loaded with a BPF token, the features as the token's holder sees them (a user
     * namespace's process could not probe without it). Attach calls choose their path by it.
     */
    public KernelFeatures kernelFeatures() {
        return features;
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
