package io.connback.folders.internal.conf;

/** A {@code .cfg} file that cannot be read: its line and why. */
final class CfgSyntaxException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;

    /**
     * The error.
     *
     * @param line the line (from 1)
     * @param reason what is wrong there, with the text quoted
     */
    CfgSyntaxException(int line, String reason) {
        super(reason);
        this.line = line;
    }

    /**
     * Where.
     *
     * @return the line, from 1
     */
    int line() {
        return line;
    }
}
