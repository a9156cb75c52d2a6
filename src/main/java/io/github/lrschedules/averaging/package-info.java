/**
 * Weight averaging beside the schedules: an exponential moving average of the weights (PyTorch's
 * {@code AveragedModel} with {@code get_ema_multi_avg_fn}, timm's {@code ModelEmaV3} with its decay warmup) and
 * stochastic weight averaging (the equal average of {@code AveragedModel}), as one DL4J training listener,
 * {@link io.github.lrschedules.averaging.WeightAveraging}. Its learning-rate companion is
 * {@link io.github.lrschedules.schedule.SwaSchedule} (PyTorch's {@code SWALR}).
 */
package io.github.lrschedules.averaging;
