package dev.authcode;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.LongToIntFunction;
import java.util.function.LongUnaryOperator;

/**
 * A native handle shared safely between threads.
 *
 * <p>Every native call goes through {@link #call}: it <em>acquires</em> the pointer (an
 * in-flight count; a closed handle throws {@link AuthcodeException#CLOSED}), runs the call
 * while holding the handle's call lock (so calls on one object never overlap, as the C API
 * requires), and releases the pointer in {@code finally}.
 *
 * <p>{@link #close()} never waits: it marks the handle closed (later calls throw CLOSED)
 * and frees the native object at once when no call is in flight, or else when the last
 * in-flight call releases it. A handle that is never closed is freed by a
 * {@link Cleaner} once it is unreachable. {@code close()} runs the same cleanable, so
 * the native free runs exactly once either way.
 */
abstract class Handle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong NATIVE_FREES = new AtomicLong();

    /**
     * The pointer, its in-flight count and the free action: the Cleaner's action, so it
     * holds no reference to its {@link Handle}.
     */
    static final class State implements Runnable {
        private final long pointer;
        private final LongConsumer free;
        /** Serializes the native calls on the object. */
        private final Object callLock = new Object();
        /**
         * A native call on the object is running (guarded by {@link #callLock}, which is
         * reentrant: a callback made during a call, such as a {@link Signer.SignFunction},
         * runs on the same thread and must not call the object again).
         */
        private boolean inCall;
        private int inFlight;
        private boolean closed;
        private boolean freed;
        private int frees;

        State(long pointer, LongConsumer free) {
            this.pointer = pointer;
            this.free = free;
        }

        /** The pointer for one call; throws CLOSED once close was requested. */
        synchronized long acquire() {
            if (closed) {
                throw AuthcodeException.closed();
            }
            inFlight++;
            return pointer;
        }

        /** Ends one call; the last call after close frees the object. */
        void release() {
            boolean last;
            synchronized (this) {
                inFlight--;
                last = closed && inFlight == 0;
            }
            if (last) {
                freeOnce();
            }
        }

        /** close() and the Cleaner: marks the handle closed, frees it when idle. */
        @Override
        public void run() {
            boolean idle;
            synchronized (this) {
                closed = true;
                idle = inFlight == 0;
            }
            if (idle) {
                freeOnce();
            }
        }

        private void freeOnce() {
            synchronized (this) {
                if (freed) {
                    return;
                }
                freed = true;
            }
            free.accept(pointer);
            synchronized (this) {
                frees++;
            }
            NATIVE_FREES.incrementAndGet();
        }

        /** How many times the native free ran for this handle (tests: 0 or 1). */
        synchronized int frees() {
            return frees;
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;

    /**
     * Takes ownership of {@code pointer}.
     *
     * @param pointer the native object
     * @param free the C free function; must not reference the handle
     */
    Handle(long pointer, LongConsumer free) {
        this.state = new State(pointer, free);
        this.cleanable = CLEANER.register(this, state);
    }

    /** The handle's state (tests observe its frees). */
    final State state() {
        return state;
    }

    /** How many native frees ran in this JVM, through close() or the Cleaner (tests). */
    static long nativeFrees() {
        return NATIVE_FREES.get();
    }

    /** Marks a call as running; a call from inside one (a callback) throws. */
    private void enter() {
        if (state.inCall) {
            throw new IllegalStateException(
                    "a call on this object from inside one of its own calls (a callback must not call it)");
        }
        state.inCall = true;
    }

    /**
     * Runs {@code body} with the live pointer (see the class comment).
     *
     * @param body the native call
     * @param <T> its result
     * @return the call's result
     */
    final <T> T call(LongFunction<T> body) {
        long pointer = state.acquire();
        try {
            synchronized (state.callLock) {
                enter();
                try {
                    return body.apply(pointer);
                } finally {
                    state.inCall = false;
                }
            }
        } finally {
            state.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #call} for an {@code int} result.
     *
     * @param body the native call
     * @return the call's result
     */
    final int callInt(LongToIntFunction body) {
        long pointer = state.acquire();
        try {
            synchronized (state.callLock) {
                enter();
                try {
                    return body.applyAsInt(pointer);
                } finally {
                    state.inCall = false;
                }
            }
        } finally {
            state.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #call} for a {@code long} result.
     *
     * @param body the native call
     * @return the call's result
     */
    final long callLong(LongUnaryOperator body) {
        long pointer = state.acquire();
        try {
            synchronized (state.callLock) {
                enter();
                try {
                    return body.applyAsLong(pointer);
                } finally {
                    state.inCall = false;
                }
            }
        } finally {
            state.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #call} for a {@code boolean} result.
     *
     * @param body the native call
     * @return the call's result
     */
    final boolean callBoolean(LongPredicate body) {
        long pointer = state.acquire();
        try {
            synchronized (state.callLock) {
                enter();
                try {
                    return body.test(pointer);
                } finally {
                    state.inCall = false;
                }
            }
        } finally {
            state.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * {@link #call} without a result.
     *
     * @param body the native call
     */
    final void callVoid(LongConsumer body) {
        long pointer = state.acquire();
        try {
            synchronized (state.callLock) {
                enter();
                try {
                    body.accept(pointer);
                } finally {
                    state.inCall = false;
                }
            }
        } finally {
            state.release();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Whether {@link #close()} was called (or the object was cleaned).
     *
     * @return true once closed
     */
    public final boolean isClosed() {
        synchronized (state) {
            return state.closed;
        }
    }

    /**
     * Closes the object: later calls throw {@link AuthcodeException#CLOSED}; the native
     * object is freed now, or when the calls other threads have in flight return. Safe to
     * call from any thread, any number of times.
     */
    @Override
    public final void close() {
        cleanable.clean();
    }
}
