package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.nd4j.linalg.schedule.ScheduleType.EPOCH;
import static org.nd4j.linalg.schedule.ScheduleType.ITERATION;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/** {@link SwaSchedule}: the Javadoc's example, its boundaries, and its step counter (SWALR values: AveragingReferenceTest). */
class SwaScheduleTest {

    private static final double EPS = 1e-15;

    @Test
    void javadocExample() {
        SwaSchedule s = new SwaSchedule(new FixedSchedule(0.1), 5, 0.01, 4, SwaSchedule.Anneal.LINEAR);
        assertThat(s.valueAt(0, 4)).isEqualTo(0.1);
        assertThat(s.valueAt(0, 5)).isCloseTo(0.0775, within(EPS));
        assertThat(s.valueAt(0, 7)).isCloseTo(0.0325, within(EPS));
        assertThat(s.valueAt(0, 8)).isCloseTo(0.01, within(EPS));
        assertThat(s.valueAt(0, 100)).isCloseTo(0.01, within(EPS));
    }

    @Test
    void theBaseRunsBeforeTheStartAndItsLastValueIsWhereTheAnnealStarts() {
        CosineDecaySchedule base = new CosineDecaySchedule(EPOCH, 0.2, 10, 0.0);
        SwaSchedule s = new SwaSchedule(base, 6, 0.05, 3, SwaSchedule.Anneal.COS);
        for (int k = 0; k < 6; k++) {
            assertThat(s.valueAt(123, k)).isEqualTo(base.valueAt(123, k));
        }
        double from = base.valueAt(0, 5);
        // COS at t = 1/3 and 2/3: a = 1/4 and 3/4
        assertThat(s.valueAt(0, 6)).isCloseTo(0.05 * 0.25 + from * 0.75, within(EPS));
        assertThat(s.valueAt(0, 7)).isCloseTo(0.05 * 0.75 + from * 0.25, within(EPS));
        assertThat(s.valueAt(0, 8)).isEqualTo(0.05);
        assertThat(s.valueAt(0, Integer.MAX_VALUE)).isEqualTo(0.05);
    }

    @Test
    void noAnnealSwitchesAtTheStartAndAStartAtZeroAnnealsFromTheBasesFirstValue() {
        SwaSchedule sudden = new SwaSchedule(new FixedSchedule(0.1), 3, 0.02, 0, SwaSchedule.Anneal.COS);
        assertThat(sudden.valueAt(0, 2)).isEqualTo(0.1);
        assertThat(sudden.valueAt(0, 3)).isEqualTo(0.02);
        SwaSchedule fromZero = new SwaSchedule(new LinearSchedule(EPOCH, 0.4, 1.0, 0.0, 10), 0, 0.0, 2,
                SwaSchedule.Anneal.LINEAR);
        assertThat(fromZero.valueAt(0, 0)).isCloseTo(0.2, within(EPS));
        assertThat(fromZero.valueAt(0, 1)).isEqualTo(0.0);
    }

    @Test
    void theStepIsTheCounterOfTheBasesTypeAndEpochForABaseWithoutOne() {
        SwaSchedule byIteration = new SwaSchedule(new CosineDecaySchedule(ITERATION, 0.1, 100, 0.0), 50, 0.01, 10,
                SwaSchedule.Anneal.COS);
        assertThat(byIteration.getScheduleType()).isEqualTo(ITERATION);
        assertThat(byIteration.valueAt(60, 0)).isEqualTo(0.01);
        assertThat(byIteration.valueAt(10, 60)).isEqualTo(new CosineDecaySchedule(ITERATION, 0.1, 100, 0.0).valueAt(10, 60));
        SwaSchedule untyped = new SwaSchedule(new FixedSchedule(0.1), 2, 0.01, 1, SwaSchedule.Anneal.COS);
        assertThat(untyped.getScheduleType()).isEqualTo(EPOCH);
        assertThat(untyped.valueAt(1000, 1)).isEqualTo(0.1);
        assertThat(untyped.valueAt(0, 2)).isEqualTo(0.01);
    }

    @Test
    void itComposesAsASequenceChildOfItsType() {
        SwaSchedule swa = new SwaSchedule(new CosineDecaySchedule(ITERATION, 0.1, 100, 0.0), 50, 0.01, 10,
                SwaSchedule.Anneal.COS);
        ISchedule sequence = new SequentialSchedule(ITERATION, List.of(new FixedSchedule(0.5), swa), 5);
        assertThat(sequence.valueAt(65, 0)).isEqualTo(0.01);
        assertThatThrownBy(() -> new SequentialSchedule(EPOCH, List.of(new FixedSchedule(0.5), swa), 5))
                .hasMessageContaining("schedules[1]");
    }
}
