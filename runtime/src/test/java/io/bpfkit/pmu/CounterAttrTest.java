package io.bpfkit.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.perfevent.PerfEventParser;
import io.bpfkit.uapi.PerfEventAttr;
import org.junit.jupiter.api.Test;

/** The perf_event_attr a PMU counter slot is opened with. */
class CounterAttrTest {
    @Test
    void counterAttributesAskForEnabledAndRunningTime() {
        PerfEventAttr a = PmuPlacement.counterAttr(PerfEventParser.system().parse("task-clock"));
        assertEquals(PerfEventAttr.TYPE_SOFTWARE, a.type());
        assertEquals(PerfEventAttr.SW_TASK_CLOCK, a.config());
        assertEquals(PerfEventAttr.FORMAT_TOTAL_TIME_ENABLED | PerfEventAttr.FORMAT_TOTAL_TIME_RUNNING, a.readFormat());
        assertEquals(0, a.flags(), "not disabled, not inherited (a PERF_EVENT_ARRAY refuses inherit)");
    }
}
