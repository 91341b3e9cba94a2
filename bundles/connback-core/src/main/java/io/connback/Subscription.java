package io.connback;

import org.osgi.annotation.versioning.ProviderType;

/** A registration (of a listener or a callback) that can be undone. */
// the role is for bnd's baseline, class-retained: users of the API need not read osgi.annotation
@SuppressWarnings("exports")
@ProviderType
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Undoes the registration; calling it again does nothing. */
    @Override
    void close();
}
