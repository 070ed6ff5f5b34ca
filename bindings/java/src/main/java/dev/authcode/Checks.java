package dev.authcode;

/** Argument checks shared by the public classes: they fail before any native call. */
final class Checks {
    private Checks() {}

    /**
     * Returns {@code value}, or throws {@code NullPointerException("<name> is null")}.
     *
     * @param value the argument
     * @param name the parameter's name, for the message
     * @param <T> the argument's type
     * @return {@code value}
     */
    static <T> T nonNull(T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " is null");
        }
        return value;
    }

    /**
     * Checks a {@code String[]} and each of its elements ({@code "<name>[i] is null"}).
     *
     * @param values the array
     * @param name the parameter's name
     * @return {@code values}
     */
    static String[] nonNullElements(String[] values, String name) {
        nonNull(values, name);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new NullPointerException(name + "[" + i + "] is null");
            }
        }
        return values;
    }

    /**
     * Returns {@code value}, or throws {@code IllegalArgumentException} when it is negative
     * (seconds and Unix times are never negative).
     *
     * @param value the argument
     * @param name the parameter's name
     * @return {@code value}
     */
    static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " is negative: " + value);
        }
        return value;
    }
}
