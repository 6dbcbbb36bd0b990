package io.github.voicecode;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.function.Consumer;

/**
 * An object the library handed out, freed exactly once: by {@link #close()}, or by a
 * {@link Cleaner} once its owner is unreachable. After {@code close()} calls get an
 * {@link IllegalStateException} instead of a freed pointer.
 */
final class NativeHandle {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Pointer pointer;
    private final String what;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    NativeHandle(Object owner, Pointer pointer, Consumer<Pointer> free, String what) {
        this.pointer = pointer;
        this.what = what;
        // The action holds the pointer, never the owner: holding it would keep the owner reachable.
        this.cleanable = CLEANER.register(owner, () -> free.accept(pointer));
    }

    /** The pointer, for one call; throws once closed. */
    Pointer get() {
        if (closed) {
            throw new IllegalStateException(what + " is closed");
        }
        return pointer;
    }

    void close() {
        closed = true;
        cleanable.clean();
    }
}
