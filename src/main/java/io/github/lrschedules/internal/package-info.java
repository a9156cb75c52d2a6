/**
 * Internal to dl4j-lr-schedules and its Spark module: argument checks, atomic file writes, listener states kept at
 * the end of a file ({@code FileTrailers}) and the one adapter over
 * MultiLayerNetwork and ComputationGraph. Not API: it may change in any release, and its Javadoc is not published.
 * User code and the examples use the public packages only.
 */
package io.github.lrschedules.internal;
