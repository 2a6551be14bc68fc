package dev.warmbox.sandbox;

/**
 * What an execution produced.
 *
 * @param compile the compile step, or null for interpreted languages
 * @param run     the run step, or null when compilation failed
 * @param version the runtime's version line
 */
public record Outcome(StepResult compile, StepResult run, String version) {}
