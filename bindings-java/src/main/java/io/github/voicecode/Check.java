package io.github.voicecode;

/**
 * The answer of {@link Verifier#check}: its {@link Status} and, for a wrong code, the checks
 * left.
 */
public record Check(Status status, int attemptsLeft) {
    /** Every case is distinct, so "expired" can be told from "never started". */
    public enum Status {
        /** The code is right; the verification is used up (a second check finds nothing). */
        APPROVED,
        /** The code is wrong; {@link Check#attemptsLeft()} more may be tried. */
        WRONG_CODE,
        /** The code's time to live has passed; start again. */
        EXPIRED,
        /** Too many wrong codes: locked, even for the right code. */
        TOO_MANY_ATTEMPTS,
        /** No verification is pending for this number (never started, approved, or given back). */
        NOT_FOUND,
        /** The verification was canceled. */
        CANCELED;

        /** The library's name for a {@code vc_check} number, e.g. {@code WRONG_CODE} for 1. */
        static Status fromNative(int check) {
            String name = Calls.LIB.vc_check_name(check);
            if (name == null) {
                throw new IllegalStateException("libvoicecode answered an unknown check " + check);
            }
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** True only for {@link Status#APPROVED}. */
    public boolean approved() {
        return status == Status.APPROVED;
    }
}
