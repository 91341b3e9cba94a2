package io.connback;

/** A registration (of a listener or a callback) that can be undone. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Undoes the registration; calling it again does nothing. */
    @Override
    void close();
}
