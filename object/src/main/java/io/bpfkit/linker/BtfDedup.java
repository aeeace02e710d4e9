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

    /**
     * {@code canonical[id]}: the first id of the class of {@code id}; index 0 (void) maps to 0.
     * A FWD whose name has exactly one struct (or union, as the FWD says) class is resolved to
     * it, as libbpf's deduplication does, so pointers to either collapse too.
     */
    static int[] canonical(List<RawBtf.Type> types) {
        int n = types.size();
        int[] redirect = new int[n + 1];
        for (int id = 0; id <= n; id++) {
            redirect[id] = id;
        }
        int[] cls = refine(types, redirect);
        int[] first = firstOfClass(cls);
        Map<String, Integer> structClass = new HashMap<>();
        for (int id = 1; id <= n; id++) {
            RawBtf.Type t = types.get(id - 1);
            if ((t.kind == RawBtf.STRUCT || t.kind == RawBtf.UNION) && !t.name.isEmpty()) {
                String key = t.kind + "|" + t.name;
                Integer seen = structClass.get(key);
                structClass.put(key, seen == null || seen == cls[id] ? cls[id] : -1);
            }
        }
        boolean resolved = false;
        for (int id = 1; id <= n; id++) {
            RawBtf.Type t = types.get(id - 1);
            if (t.kind == RawBtf.FWD) {
                Integer c = structClass.get((t.kindFlag ? RawBtf.UNION : RawBtf.STRUCT) + "|" + t.name);
                if (c != null && c > 0) {
                    redirect[id] = first[c];
                    resolved = true;
                }
            }
        }
        if (resolved) {
            cls = refine(types, redirect);
            first = firstOfClass(cls);
        }
        int[] canonical = new int[n + 1];
        for (int id = 1; id <= n; id++) {
            canonical[id] = first[cls[redirect[id]]];
        }
        return canonical;
    }

    private static int[] firstOfClass(int[] cls) {
        int max = 0;
        for (int c : cls) {
            max = Math.max(max, c);
        }
        int[] first = new int[max + 1];
        for (int id = 1; id < cls.length; id++) {
            if (first[cls[id]] == 0) {
                first[cls[id]] = id;
            }
        }
        return first;
    }

    /** The coarsest stable partition; references go through {@code redirect} (resolved FWDs). */
    private static int[] refine(List<RawBtf.Type> types, int[] redirect) {
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
                    key.append(',').append(cls[redirect[t.sizeOrType]]);
                }
                for (int w : t.idWords()) {
                    key.append(',').append(cls[redirect[t.extra[w]]]);
                }
                refined[id] = next.computeIfAbsent(key.toString(), k -> next.size() + 1);
            }
            cls = refined;
            if (next.size() == classes) {
                return cls;
            }
            classes = next.size();
        }
    }
}
