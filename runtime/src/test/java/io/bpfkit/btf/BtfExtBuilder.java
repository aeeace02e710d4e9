package io.bpfkit.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds {@code .BTF.ext} sections for tests, with any record size. */
final class BtfExtBuilder {
    private final ByteOrder order;
    private final Part func = new Part(8);
    private final Part line = new Part(16);
    private final Part core = new Part(16);
    private boolean withCore = true;

    BtfExtBuilder(ByteOrder order) {
        this.order = order;
    }

    /** One of the three info parts: a record size and per-section record lists. */
    static final class Part {
        int recSize;
        final List<Object[]> sections = new ArrayList<>(); // {nameOff, List<int[]>}

        Part(int recSize) {
            this.recSize = recSize;
        }

        @SuppressWarnings("unchecked")
        Part add(int sectionNameOff, int... fields) {
            for (Object[] s : sections) {
                if ((Integer) s[0] == sectionNameOff) {
                    ((List<int[]>) s[1]).add(fields);
                    return this;
                }
            }
            List<int[]> records = new ArrayList<>();
            records.add(fields);
            sections.add(new Object[] {sectionNameOff, records});
            return this;
        }

        @SuppressWarnings("unchecked")
        int length() {
            if (sections.isEmpty()) {
                return 0;
            }
            int len = 4;
            for (Object[] s : sections) {
                len += 8 + recSize * ((List<int[]>) s[1]).size();
            }
            return len;
        }

        @SuppressWarnings("unchecked")
        void write(ByteBuffer b) {
            if (sections.isEmpty()) {
                return;
            }
            b.putInt(recSize);
            for (Object[] s : sections) {
                List<int[]> records = (List<int[]>) s[1];
                b.putInt((Integer) s[0]).putInt(records.size());
                for (int[] r : records) {
                    int start = b.position();
                    for (int f : r) {
                        b.putInt(f);
                    }
                    b.position(start + recSize); // larger records: zero padding we must skip
                }
            }
        }
    }

    Part func() {
        return func;
    }

    Part line() {
        return line;
    }

    Part core() {
        return core;
    }

    BtfExtBuilder withoutCoreHeader() {
        withCore = false;
        return this;
    }

    byte[] build() {
        int hdr = withCore ? 32 : 24;
        int fl = func.length();
        int ll = line.length();
        int cl = withCore ? core.length() : 0;
        ByteBuffer b = ByteBuffer.allocate(hdr + fl + ll + cl).order(order);
        b.putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(hdr);
        b.putInt(0).putInt(fl).putInt(fl).putInt(ll);
        if (withCore) {
            b.putInt(fl + ll).putInt(cl);
        }
        func.write(b);
        line.write(b);
        if (withCore) {
            core.write(b);
        }
        return b.array();
    }
}
