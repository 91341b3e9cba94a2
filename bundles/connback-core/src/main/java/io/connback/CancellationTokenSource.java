package io.connback;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates a {@link CancellationToken} and cancels it. Thread-safe; cancelling twice does nothing the second time.
 * Callbacks run on the thread that calls {@link #cancel()}, outside any lock; one that throws is logged and the others
 * still run.
 */
public final class CancellationTokenSource {

    private static final System.Logger LOG = System.getLogger(CancellationTokenSource.class.getName());

    static final CancellationToken NEVER_CANCELLED = new CancellationToken() {
        @Override
        public boolean isCancellationRequested() {
            return false;
        }

        @Override
        public Subscription onCancellationRequested(Runnable callback) {
            return () -> {};
        }

        @Override
        public String toString() {
            return "CancellationToken.NONE";
        }
    };

    private final Token token = new Token();

    /** Creates a source whose token is not cancelled. */
    public CancellationTokenSource() {}

    /**
     * The token this source cancels.
     *
     * @return the token
     */
    public CancellationToken token() {
        return token;
    }

    /** Requests cancellation and runs the registered callbacks once. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (token) {
            if (token.cancelled) {
                return;
            }
            token.cancelled = true;
            toRun = token.callbacks;
            token.callbacks = null;
        }
        for (Runnable callback : toRun) {
            runSafely(callback);
        }
    }

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return {@code true} once cancelled
     */
    public boolean isCancellationRequested() {
        return token.isCancellationRequested();
    }

    private static void runSafely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "cancellation callback failed", e);
        }
    }

    private static final class Token implements CancellationToken {
        // guarded by this; callbacks is null once cancelled
        private volatile boolean cancelled;
        private List<Runnable> callbacks = new ArrayList<>(2);

        @Override
        public boolean isCancellationRequested() {
            return cancelled;
        }

        @Override
        public Subscription onCancellationRequested(Runnable callback) {
            // a fresh wrapper per registration, so that removing one registration never removes another
            Runnable once = callback::run;
            synchronized (this) {
                if (!cancelled) {
                    callbacks.add(once);
                    return () -> {
                        synchronized (this) {
                            if (callbacks != null) {
                                callbacks.remove(once);
                            }
                        }
                    };
                }
            }
            runSafely(once);
            return () -> {};
        }

        @Override
        public String toString() {
            return cancelled ? "CancellationToken[cancelled]" : "CancellationToken[active]";
        }
    }
}
