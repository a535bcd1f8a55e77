package io.respite.resp;

import java.util.Objects;

/**
 * A RESP3 double ({@code ,3.14}, {@code ,inf}, {@code ,-inf}, {@code ,nan}). The text is kept as
 * sent, so that re-encoding gives the same bytes; {@link #value()} parses it.
 */
public record RespDouble(String text) implements RespMessage {

    public RespDouble {
        Objects.requireNonNull(text, "text");
    }

    /** Formats {@code value} as Redis does for the special values; others as {@link Double#toString}. */
    public static RespDouble of(double value) {
        if (Double.isNaN(value)) {
            return new RespDouble("nan");
        }
        if (Double.isInfinite(value)) {
            return new RespDouble(value > 0 ? "inf" : "-inf");
        }
        return new RespDouble(Double.toString(value));
    }

    /** The numeric value; {@code inf}, {@code -inf} and {@code nan} map to their doubles. */
    public double value() {
        return switch (text) {
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan", "-nan" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    @Override
    public RespType type() {
        return RespType.DOUBLE;
    }
}
