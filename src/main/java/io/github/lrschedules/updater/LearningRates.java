package io.github.lrschedules.updater;

import io.github.lrschedules.internal.Args;
import io.github.lrschedules.internal.Networks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Changes the learning rate of a network in place, on every updater configuration that has one (weights and biases
 * of every layer, layers with their own updater too, as {@link Networks#learningRateUpdaters} finds them), without
 * touching the updater state (Adam moments, Nesterov velocity). Internal: shared by the plateau listener and the LR
 * finder, not part of the public API.
 *
 * <p>{@code setLearningRate(double|ISchedule)} of DL4J drops schedules, flattens per-layer differences and ignores
 * bias updaters; {@link #change} instead sets a schedule on each configuration itself. Example: a network with
 * {@code Sgd(0.1)} on its weights and {@code Sgd(0.05)} on its biases, after
 * {@code change(net, s -> new ScaledSchedule(s, 0.5))}, trains with {@code ScaledSchedule(FixedSchedule(0.1), 0.5)}
 * = 0.05 and {@code ScaledSchedule(FixedSchedule(0.05), 0.5)} = 0.025.
 */
public final class LearningRates {

    private LearningRates() {
    }

    /**
     * Replaces the learning-rate schedule of every updater configuration of {@code model} that has one by
     * {@code change.apply(current)}, where {@code current} is the updater's schedule or, for a fixed learning rate,
     * a {@code FixedSchedule} of it. First gives the model its own copies of its updater configurations (see
     * {@link #ownConfigurations}), so that a network sharing them with this one keeps its rate. The plateau listener
     * wraps each schedule in a {@code ScaledSchedule}; the LR finder puts its ramp in place of all of them.
     *
     * @return the updater configurations now in use, after the change (empty: the model has no learning rate,
     *         NoOp or AdaDelta only)
     */
    public static List<IUpdater> change(Model model, UnaryOperator<ISchedule> change) {
        Args.notNull("change", change);
        ownConfigurations(model);
        List<IUpdater> updaters = Networks.learningRateUpdaters(model);
        for (IUpdater updater : updaters) {
            change(updater, change);
        }
        return updaters;
    }

    /**
     * Replaces the learning-rate schedule of one updater configuration in place by {@code change.apply(current)}
     * ({@code current}: its schedule, or a {@code FixedSchedule} of its fixed rate), keeping the fixed rate. Every
     * updater built from this configuration uses the new schedule from its next step on: how a SameDiff graph's
     * {@code TrainingConfig} updater is changed during training.
     */
    public static void change(IUpdater updater, UnaryOperator<ISchedule> change) {
        Args.notNull("updater", updater);
        Args.notNull("change", change);
        ISchedule schedule = scheduleOf(updater);
        double fixedRate = fixedRateOf(updater);
        ISchedule changed = change.apply(schedule != null ? schedule : new FixedSchedule(fixedRate));
        updater.setLrAndSchedule(fixedRate, Args.schedule("the changed schedule", changed));
    }

    /** The largest learning rate among {@code updaters} at the given step (0 for none). */
    public static double max(List<IUpdater> updaters, int iteration, int epoch) {
        double max = 0;
        for (IUpdater updater : updaters) {
            max = Math.max(max, updater.getLearningRate(iteration, epoch));
        }
        return max;
    }

    /** The updater's learning-rate schedule, or null for a fixed learning rate. */
    public static ISchedule scheduleOf(IUpdater updater) {
        try {
            Method getter = updater.getClass().getMethod("getLearningRateSchedule");
            return (ISchedule) getter.invoke(updater);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater.getClass().getName()
                    + ": it has no getLearningRateSchedule()", e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the learning-rate schedule of " + updater, e);
        }
    }

    /** The updater's fixed learning rate (used by DL4J when it has no schedule). */
    private static double fixedRateOf(IUpdater updater) {
        try {
            return (double) updater.getClass().getMethod("getLearningRate").invoke(updater);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return updater.getLearningRate(0, 0);
        }
    }

    /**
     * Replaces the updater configurations of the model's layers by copies (one copy per shared instance, so
     * sharing inside the model stays) and rebuilds the model's updater around its existing state, so that the
     * running updaters use the copies and the state (moments, velocity) carries over. Needed before every change: a
     * {@code clone()}, a TransferLearning copy or a model saver's snapshot shares the configurations.
     */
    public static void ownConfigurations(Model model) {
        Map<IUpdater, IUpdater> copies = new IdentityHashMap<>();
        for (Layer layer : Networks.layers(model)) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            if (conf instanceof BaseLayer) {
                BaseLayer base = (BaseLayer) conf;
                if (base.getIUpdater() != null) {
                    base.setIUpdater(copies.computeIfAbsent(base.getIUpdater(), IUpdater::clone));
                }
                if (base.getBiasUpdater() != null) {
                    base.setBiasUpdater(copies.computeIfAbsent(base.getBiasUpdater(), IUpdater::clone));
                }
            }
        }
        Networks.of(model).rebuildUpdater();
    }
}
