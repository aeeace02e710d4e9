package io.bpfkit.link;

import io.bpfkit.api.BpfException;
import io.bpfkit.api.BpfLink;
import io.bpfkit.api.OwnedFd;
import io.bpfkit.sys.Bpf;
import io.bpfkit.sys.Fd;
import io.bpfkit.sys.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A BPF iterator link: each {@link #open()} starts a new pass of the iterator, whose program
 * output ({@code bpf_seq_printf}, {@code bpf_seq_write}) is read as a stream.
 *
 * <pre>{@code
 * try (IterLink it = Attach.iterator(prog); InputStream in = it.open()) {
 *     System.out.print(new String(in.readAllBytes()));
 * }
 * }</pre>
 */
public final class IterLink implements BpfLink {
    private final Link link;

    IterLink(Link link) {
        this.link = link;
    }

    /** The underlying link. */
    public Link link() {
        return link;
    }

    /** A new pass over the iterator; close the stream when done. */
    public InputStream open() {
        return new IterStream(Bpf.iterCreate(link.fd()));
    }

    /** One whole pass, as text. */
    public String readAll() {
        try (InputStream in = open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BpfException("reading iterator link '" + link.name() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return link.name();
    }

    @Override
    public int fileDescriptor() {
        return link.fileDescriptor();
    }

    @Override
    public boolean isBpfLink() {
        return true;
    }

    @Override
    public void pin(Path path) {
        link.pin(path);
    }

    @Override
    public boolean isClosed() {
        return link.isClosed();
    }

    @Override
    public void close() {
        link.close();
    }

    /** Reads an iterator descriptor through one native buffer. */
    private static final class IterStream extends InputStream {
        private final OwnedFd fd;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment buf = arena.allocate(8192);
        private boolean closed;

        IterStream(OwnedFd fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("iterator stream closed");
            }
            if (len == 0) {
                return 0;
            }
            long n = Syscalls.read(fd.get(), buf.asSlice(0, Math.min(len, buf.byteSize())), "read of " + fd);
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
            return (int) n;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                fd.close();
                arena.close();
            }
        }
    }
}
