package io.bpfkit.netlink;

import io.bpfkit.api.BpfException;
import io.bpfkit.sys.NetlinkSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * An rtnetlink ({@code NETLINK_ROUTE}) connection: sends requests and collects what answers
 * them, matched by sequence number. A refused request is a
 * {@link io.bpfkit.api.NetlinkException} that names the operation, the errno and the kernel's
 * extended acknowledgement message.
 *
 * <p>The connection belongs to the network namespace of the thread that opened it.
 *
 * <pre>{@code
 * try (Rtnetlink nl = Rtnetlink.open()) {
 *     List<TcNetlink.Qdisc> q = TcNetlink.qdiscs(nl, 1);
 * }
 * }</pre>
 */
public final class Rtnetlink implements AutoCloseable {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWQDISC = 36;
    public static final int RTM_DELQDISC = 37;
    public static final int RTM_GETQDISC = 38;
    public static final int RTM_NEWTFILTER = 44;
    public static final int RTM_DELTFILTER = 45;
    public static final int RTM_GETTFILTER = 46;

    /** How often a dump the kernel marks as interrupted (the table changed under it) is run again. */
    private static final int DUMP_ATTEMPTS = 5;

    private final NetlinkSocket socket;
    private int seq;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.seq = ThreadLocalRandom.current().nextInt(1, 1 << 30);
    }

    /** Opens a connection in the calling thread's network namespace. */
    public static Rtnetlink open() {
        return new Rtnetlink(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE, "rtnetlink"));
    }

    /**
     * Sends {@code m} with {@code NLM_F_REQUEST | NLM_F_ACK} and waits for the kernel's
     * acknowledgement; returns the messages that came before it (an echo with
     * {@code NLM_F_ECHO}, the answer to a GET).
     *
     * @param hints the hint for an errno, or null for the generic ones
     * @throws io.bpfkit.api.NetlinkException when the kernel refuses
     */
    public synchronized List<NetlinkReply> request(NetlinkMessage m, String operation, IntFunction<String> hints) {
        int s = nextSeq();
        socket.send(m.encode(s, 0, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK), operation);
        List<NetlinkReply> answers = new ArrayList<>();
        while (true) {
            for (NetlinkReply r : NetlinkReply.split(socket.receive(operation))) {
                if (r.seq() != s) {
                    continue; // a late answer to an earlier request
                }
                if (r.type() == NetlinkMessage.NLMSG_ERROR) {
                    NetlinkError e = NetlinkError.decode(r);
                    if (e.isAck()) {
                        return answers;
                    }
                    throw e.toException(operation, hints == null ? null : hints.apply(e.errno()));
                }
                answers.add(r);
            }
        }
    }

    /**
     * Sends {@code m} as a dump ({@code NLM_F_REQUEST | NLM_F_DUMP}) and returns every message
     * up to {@code NLMSG_DONE}; runs it again when the kernel says the table changed meanwhile.
     */
    public synchronized List<NetlinkReply> dump(NetlinkMessage m, String operation, IntFunction<String> hints) {
        for (int attempt = 1; ; attempt++) {
            int s = nextSeq();
            socket.send(m.encode(s, 0, NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP), operation);
            List<NetlinkReply> answers = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NetlinkReply r : NetlinkReply.split(socket.receive(operation))) {
                    if (r.seq() != s || done) {
                        continue;
                    }
                    interrupted |= (r.flags() & NetlinkMessage.NLM_F_DUMP_INTR) != 0;
                    if (r.type() == NetlinkMessage.NLMSG_DONE || r.type() == NetlinkMessage.NLMSG_ERROR) {
                        NetlinkError e = NetlinkError.decode(r);
                        if (!e.isAck()) {
                            throw e.toException(operation, hints == null ? null : hints.apply(e.errno()));
                        }
                        done = true;
                    } else if (r.type() != NetlinkMessage.NLMSG_NOOP) {
                        answers.add(r);
                    }
                }
            }
            if (!interrupted) {
                return answers;
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new BpfException(operation + ": the kernel interrupted the dump " + DUMP_ATTEMPTS
                        + " times (the table kept changing)");
            }
        }
    }

    private int nextSeq() {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        return seq;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "Rtnetlink[" + socket + "]";
    }
}
