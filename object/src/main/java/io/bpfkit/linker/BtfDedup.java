package io.bpfkit.linker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collapses identical BTF types: the coarsest partition of the types in which two types share a
 * class when they have the same kind, name, sizes, member names and offsets, and refer to types
 * of the same classes. Refining from "same shape" until nothing splits handles recursive types
 * (a struct that points to itself) without a special case. VARs and DATASECs are never merged:
 * each names one variable or section of the object.
 */
final class BtfDedup {
    private BtfDedup() {
    }

    /** {@code canonical[id]}: the first id of the class of {@code id}; index 0 (void) maps to 0. */
    static int[] canonical(List<RawBtf.Type> types) {
        int n = types.size();
        int[] cls = new int[n + 1];
        Map<String, Integer> first = new HashMap<>();
        for (int id = 1; id <= n; id++) {
            RawBtf.Type t = types.get(id - 1);
            String key = t.kind == RawBtf.VAR || t.kind == RawBtf.DATASEC ? "#" + id : t.shape();
            cls[id] = first.computeIfAbsent(key, k -> first.size() + 1);
        }
        int classes = first.size();
        while (true) {
            Map<String, Integer> next = new HashMap<>();
            int[] refined = new int[n + 1];
            for (int id = 1; id <= n; id++) {
                RawBtf.Type t = types.get(id - 1);
                StringBuilder key = new StringBuilder().append(cls[id]);
                if (t.sizeOrTypeIsId()) {
                    key.append(',').append(cls[t.sizeOrType]);
                }
                for (int w : t.idWords()) {
                    key.append(',').append(cls[t.extra[w]]);
                }
                refined[id] = next.computeIfAbsent(key.toString(), k -> next.size() + 1);
            }
            cls = refined;
            if (next.size() == classes) {
                break;
            }
            classes = next.size();
        }
        int[] firstOfClass = new int[classes + 1];
        int[] canonical = new int[n + 1];
        for (int id = 1; id <= n; id++) {
            if (firstOfClass[cls[id]] == 0) {
                firstOfClass[cls[id]] = id;
            }
            canonical[id] = firstOfClass[cls[id]];
        }
        return canonical;
    }
}
