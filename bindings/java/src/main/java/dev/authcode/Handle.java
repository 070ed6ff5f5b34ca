package dev.authcode;

/** A native handle: closed exactly once; use after close throws. */
abstract class Handle implements AutoCloseable {
    private long pointer;

    Handle(long pointer) {
        this.pointer = pointer;
    }

    final synchronized long pointer() {
        if (pointer == 0) {
            throw new AuthcodeException(AuthcodeException.CLOSED, "the object is closed");
        }
        return pointer;
    }

    abstract void free(long pointer);

    @Override
    public final synchronized void close() {
        if (pointer != 0) {
            free(pointer);
            pointer = 0;
        }
    }
}
