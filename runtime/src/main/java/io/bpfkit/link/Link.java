package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfLink;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.uapi.LinkInfo;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * bpfkit's {@link BpfLink}: owns the descriptor that keeps an attachment alive (a BPF link or
 * a perf event) and, for attachments made by a call that needs undoing (a socket filter, an
 * ioctl-attached perf event), the action that undoes it.
 */
public final class Link implements BpfLink {
    private final String name;
    private final OwnedFd fd;
    private final boolean bpfLink;
    private final Runnable detach;
    private final AutoCloseable extra;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Link(String name, OwnedFd fd, boolean bpfLink, Runnable detach, AutoCloseable extra) {
        this.name = name;
        this.fd = fd;
        this.bpfLink = bpfLink;
        this.detach = detach;
        this.extra = extra;
    }

    /** A BPF link descriptor. */
    static Link bpf(String name, OwnedFd link) {
        return new Link(name, link, true, null, null);
    }

    /** A BPF link on top of another descriptor it needs (a perf event), closed after it. */
    static Link bpf(String name, OwnedFd link, OwnedFd under) {
        return new Link(name, link, true, null, under);
    }

    /** A descriptor that is the attachment (a perf event with a program set by ioctl). */
    static Link descriptor(String name, OwnedFd fd) {
        return new Link(name, fd, false, null, null);
    }

    /** An attachment with no descriptor of its own, undone by {@code detach}. */
    static Link action(String name, Runnable detach) {
        return new Link(name, null, false, detach, null);
    }

    /**
     * An attachment with no descriptor of its own, undone by {@code detach}, which needs
     * {@code resource} (e.g. the netlink socket of the network namespace it was made in);
     * {@code resource} is closed after the detach, whether it succeeded or not.
     */
    static Link action(String name, Runnable detach, AutoCloseable resource) {
        return new Link(name, null, false, detach, resource);
    }

    /**
     * Reopens a link pinned at {@code path}; closing the result drops this reference only
     * (the pin keeps the link until it is removed).
     */
    public static Link openPinned(Path path) {
        OwnedFd fd = Bpf.objGet(path.toString(), 0, "link");
        try {
            LinkInfo info = Bpf.linkInfo(fd);
            return new Link("pinned link " + path + " (id " + info.id() + ", prog id " + info.progId() + ")", fd,
                    true, null, null);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int fileDescriptor() {
        checkOpen();
        return fd == null ? -1 : fd.get();
    }

    /** The owned descriptor, or null for an attachment without one. */
    public OwnedFd fd() {
        checkOpen();
        return fd;
    }

    @Override
    public boolean isBpfLink() {
        return bpfLink;
    }

    /** The kernel's view of a BPF link: type, id, program id. */
    public LinkInfo info() {
        checkOpen();
        if (!bpfLink) {
            throw new BpfException(name + " is not a BPF link: it has no link info");
        }
        return Bpf.linkInfo(fd);
    }

    /**
     * {@code BPF_LINK_UPDATE}: the link runs {@code program} from now on, without a moment
     * detached (links of sockmaps, cgroups, XDP, tcx, netns, iterators; the kernel refuses it
     * for the others with EOPNOTSUPP or EINVAL).
     *
     * <pre>{@code
     * try (Link l = Attach.sockMap(obj.program("v1").orElseThrow(), socks)) {
     *     l.update(obj.program("v2").orElseThrow());
     * }
     * }</pre>
     */
    public void update(io.bpfkit.api.BpfProgram program) {
        checkOpen();
        if (!bpfLink) {
            throw new BpfException("cannot update " + name + ": not a BPF link (this kernel attached it the legacy "
                    + "way); detach it and attach the new program instead");
        }
        Bpf.linkUpdate(fd, Attach.fdOf(program), null, 0);
    }

    @Override
    public void pin(Path path) {
        checkOpen();
        if (!bpfLink) {
            throw new BpfException("cannot pin " + name + ": only BPF links can be pinned, and this attachment "
                    + (fd == null ? "has no descriptor" : "is a perf event set up by ioctl (the kernel has no perf link)"));
        }
        Bpf.objPin(fd, path.toString());
    }

    /**
     * {@code BPF_LINK_DETACH}: detaches now, even while the link is pinned or shared; the
     * descriptor stays open (and defunct) until {@link #close()}.
     */
    public void detach() {
        checkOpen();
        if (!bpfLink) {
            throw new BpfException("cannot force-detach " + name + ": not a BPF link; close it instead");
        }
        Bpf.linkDetach(fd);
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("link closed: " + name);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (detach != null) {
                detach.run();
            }
        } finally {
            try {
                if (fd != null) {
                    fd.close();
                }
            } finally {
                if (extra != null) {
                    try {
                        extra.close();
                    } catch (Exception e) {
                        throw e instanceof RuntimeException r ? r : new BpfException("closing " + name, e);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Link[" + name + (closed.get() ? ", closed" : fd == null ? "" : ", " + fd) + "]";
    }
}
