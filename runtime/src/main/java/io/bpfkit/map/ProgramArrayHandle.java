package io.bpfkit.map;

import io.bpfkit.api.BpfProgram;
import io.bpfkit.api.codec.Codecs;
import io.bpfkit.api.map.BpfProgramArray;
import io.bpfkit.object.MapType;
import java.util.OptionalInt;

/**
 * {@code BPF_MAP_TYPE_PROG_ARRAY}: an update writes a program's descriptor, a lookup reads back
 * the program's id.
 */
final class ProgramArrayHandle extends MapHandle implements BpfProgramArray {
    private final FdSlots slots;

    ProgramArrayHandle(MapRef ref) {
        super(ref, types(MapType.PROG_ARRAY));
        this.slots = new FdSlots(this, Codecs.int32());
    }

    @Override
    public void set(int index, BpfProgram program) {
        slots.set(check(index), program.fileDescriptor());
    }

    @Override
    public boolean clear(int index) {
        return slots.delete(check(index));
    }

    @Override
    public OptionalInt programId(int index) {
        return slots.id(check(index));
    }

    @Override
    public int length() {
        return ref.maxEntries();
    }

    private int check(int index) {
        if (index < 0 || index >= ref.maxEntries()) {
            throw new IndexOutOfBoundsException("slot " + index + " is outside program array '" + name() + "' of "
                    + ref.maxEntries() + " slots");
        }
        return index;
    }
}
