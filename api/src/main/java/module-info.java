/**
 * bpfkit's public API: annotations for binding interfaces, the handle types users program
 * against, and the one exception family every bpfkit failure belongs to.
 */
module io.bpfkit.api {
    exports io.bpfkit.api;
    exports io.bpfkit.api.annotation;
    exports io.bpfkit.api.codec;
    exports io.bpfkit.api.events;
    exports io.bpfkit.api.map;
    exports io.bpfkit.api.pmu;
}
