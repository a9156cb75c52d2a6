package io.github.lrschedules.examples.data;

import java.io.IOException;

/** A file that is not the IDX file it should be: wrong magic number, truncated, inconsistent with its partner. */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
