package io.bpfkit.pmu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bpfkit.perfevent.PerfEventParser;
import io.bpfkit.uapi.Perf;
import io.bpfkit.uapi.PerfEventAttr;
import org.junit.jupiter.api.Test;

/** The perf_event_attr a PMU counter slot is opened with. */
class CounterAttrTest {
    @Test
    void counterAttributesAskForEnabledAndRunningTime() {
        PerfEventAttr a = PmuPlacement.counterAttr(PerfEventParser.system().parse("task-clock"));
        assertEquals(Perf.PERF_TYPE_SOFTWARE, a.type());
        assertEquals(Perf.PERF_COUNT_SW_TASK_CLOCK, a.config());
        assertEquals(Perf.PERF_FORMAT_TOTAL_TIME_ENABLED | Perf.PERF_FORMAT_TOTAL_TIME_RUNNING, a.readFormat());
        assertEquals(0, a.flags(), "not disabled, not inherited (a PERF_EVENT_ARRAY refuses inherit)");
    }
}
