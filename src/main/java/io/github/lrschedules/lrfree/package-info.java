/**
 * Learning-rate-free optimizers as DL4J updaters: {@link io.github.lrschedules.lrfree.Prodigy},
 * {@link io.github.lrschedules.lrfree.DAdaptAdam} and {@link io.github.lrschedules.lrfree.Dog} estimate the step
 * size themselves; {@link io.github.lrschedules.lrfree.LearningRateFree} attaches what they need and reads the
 * estimates.
 */
package io.github.lrschedules.lrfree;
