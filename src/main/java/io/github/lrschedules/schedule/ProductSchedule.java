package io.github.lrschedules.schedule;

import io.github.lrschedules.internal.Args;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The product of several schedules at every step: PyTorch's {@code ChainedScheduler} over multiplicative schedulers
 * ({@code LinearLR}, {@code ExponentialLR}, {@code MultiStepLR}, ...), the way Keras and optax users compose a
 * schedule with a factor.
 *
 * <pre>
 * value(k) = factors[0](iteration, epoch) * factors[1](iteration, epoch) * ... * factors[n-1](iteration, epoch)
 * </pre>
 *
 * Every factor sees the same {@code (iteration, epoch)} (no local time, unlike {@link SequentialSchedule}), so
 * each one keeps its own boundaries and horizon; past its horizon each factor holds its final value, and so does the
 * product once every factor has. To translate a PyTorch chain, give the optimizer's initial rate to one factor and
 * write the others as factors of 1: {@code ChainedScheduler([LinearLR(opt, start_factor=0.5, total_iters=4),
 * ExponentialLR(opt, gamma=0.9)])} on a rate of 0.1 is {@code new ProductSchedule(List.of(new
 * LinearSchedule(ITERATION, 0.1, 0.5, 1.0, 4), new ExponentialSchedule(ITERATION, 1.0, 0.9)))}: steps 0, 2, 4 give
 * 0.05, 0.06075, 0.06561.
 *
 * <p>Factors that report a {@code ScheduleType} ({@code getScheduleType()}, as this library's and DL4J's schedules
 * do) must all report the same one; factors that report none (DL4J's {@code FixedSchedule}, a user's own) are
 * accepted. {@link #getScheduleType()} is that common type, or {@code null}; it is not part of the JSON.
 *
 * @see <a href="https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html">PyTorch
 *      ChainedScheduler</a>
 */
public final class ProductSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;

    private final List<ISchedule> factors;
    // The same factors as an array: valueAt walks it without an iterator.
    private final ISchedule[] factorArray;
    private final ScheduleType commonType;

    /**
     * @param factors at least one schedule, none null, all of the same reported {@code ScheduleType} (copied)
     */
    @JsonCreator
    public ProductSchedule(@JsonProperty(value = "factors", required = true) List<ISchedule> factors) {
        Args.notNull("factors", factors);
        if (factors.isEmpty()) {
            throw new IllegalArgumentException("factors must not be empty");
        }
        ScheduleType common = null;
        String commonFrom = null;
        for (int i = 0; i < factors.size(); i++) {
            ISchedule factor = Args.schedule("factors[" + i + "]", factors.get(i));
            ScheduleType type = Steps.reportedType(factor);
            if (type == null) {
                continue;
            }
            if (common != null && type != common) {
                throw new IllegalArgumentException("factors[" + i + "] (" + factor.getClass().getSimpleName()
                        + " with scheduleType " + type + ") must use the scheduleType of " + commonFrom + " (" + common
                        + "): every factor is called with the same (iteration, epoch)");
            }
            common = type;
            commonFrom = "factors[" + i + "]";
        }
        this.factors = Collections.unmodifiableList(new ArrayList<>(factors));
        this.factorArray = this.factors.toArray(new ISchedule[0]);
        this.commonType = common;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double value = factorArray[0].valueAt(iteration, epoch);
        for (int i = 1; i < factorArray.length; i++) {
            value *= factorArray[i].valueAt(iteration, epoch);
        }
        return value;
    }

    /** The factors, in order (unmodifiable). */
    public List<ISchedule> getFactors() {
        return factors;
    }

    /** The {@code ScheduleType} the factors report, or {@code null} if none reports one. */
    @JsonIgnore
    public ScheduleType getScheduleType() {
        return commonType;
    }

    @Override
    public ISchedule clone() {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProductSchedule)) {
            return false;
        }
        return factors.equals(((ProductSchedule) o).factors);
    }

    @Override
    public int hashCode() {
        return factors.hashCode();
    }

    @Override
    public String toString() {
        return "ProductSchedule{factors=" + factors + "}";
    }
}
