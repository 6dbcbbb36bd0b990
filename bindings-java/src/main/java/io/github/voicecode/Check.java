package io.github.voicecode;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer of {@link Verifier#check}: its {@link Status}, the checks left after a wrong code,
 * and after an approval the channel ({@code sms} or {@code voice}) the approved code was last
 * sent by.
 */
public record Check(Status status, int attemptsLeft, String channel) {
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
        CANCELED
    }

    /** One member of the library's flat check object: a snake_case string or a whole number. */
    private static final Pattern MEMBER = Pattern.compile("\"(\\w+)\":(?:\"([a-z_]+)\"|(\\d+))");

    /**
     * Reads {@code vc_verifier_check_json}'s answer, a flat object of {@code status} and, as the
     * case may be, {@code attempts_left} or {@code channel}.
     */
    static Check fromJson(String json) {
        Status status = null;
        int attemptsLeft = 0;
        String channel = null;
        Matcher m = MEMBER.matcher(json);
        while (m.find()) {
            switch (m.group(1)) {
                case "status" -> status = Status.valueOf(m.group(2).toUpperCase(Locale.ROOT));
                case "attempts_left" -> attemptsLeft = Integer.parseInt(m.group(3));
                case "channel" -> channel = m.group(2);
                default -> throw new IllegalStateException("libvoicecode answered a check with " + m.group(1));
            }
        }
        if (status == null) {
            throw new IllegalStateException("libvoicecode answered a check without a status: " + json);
        }
        return new Check(status, attemptsLeft, channel);
    }

    /** True only for {@link Status#APPROVED}. */
    public boolean approved() {
        return status == Status.APPROVED;
    }
}
