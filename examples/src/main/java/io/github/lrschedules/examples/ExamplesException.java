package io.github.lrschedules.examples;

/**
 * A problem the user can fix (a missing data file, a bad profile, no GPU, an output directory in use): the command
 * line prints its message alone, without a stack trace, and exits with {@link #EXIT_CODE}.
 */
public class ExamplesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit code of a run that ended on such a problem (picocli uses 2 for bad command-line arguments). */
    public static final int EXIT_CODE = 1;

    public ExamplesException(String message) {
        super(message);
    }

    public ExamplesException(String message, Throwable cause) {
        super(message, cause);
    }
}
