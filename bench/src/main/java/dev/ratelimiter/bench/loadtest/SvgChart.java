package dev.ratelimiter.bench.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart drawn as inline SVG: axes with ticks, a grid, one polyline per series and a legend.
 * No scripts, no fonts, no external references, so that a report opens anywhere, offline.
 *
 * <p>A linear y axis starts at 0 and ends at a round value above the largest point; a logarithmic
 * one spans the powers of ten around the data (latencies span several of them, and a linear axis
 * would show only the slowest call). The x axis spans the given ticks (or the data when there are
 * none). Not thread-safe: build, render, discard.
 */
final class SvgChart {
    /**
     * One line: points {@code (xs[i], ys[i])}, drawn in {@code color} (any CSS color), dashed when
     * it would otherwise hide a line with the same values under it.
     */
    record Series(String name, String color, boolean dashed, double[] xs, double[] ys) {
        Series {
            if (xs.length != ys.length) {
                throw new IllegalArgumentException("a series needs as many x as y values");
            }
        }
    }

    /** A labelled position on the x axis. */
    record Tick(double value, String label) {}

    private static final int MARGIN_LEFT = 70;
    private static final int MARGIN_RIGHT = 35;
    private static final int MARGIN_TOP = 30;
    private static final int MARGIN_BOTTOM = 45;
    private static final int Y_TICKS = 5;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Tick> xTicks = new ArrayList<>();
    private boolean logY;

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Draws the y axis on a log10 scale; values below its bottom are drawn at the bottom. */
    SvgChart logY() {
        this.logY = true;
        return this;
    }

    SvgChart add(Series line) {
        series.add(line);
        return this;
    }

    SvgChart xTick(double value, String label) {
        xTicks.add(new Tick(value, label));
        return this;
    }

    String render(int width, int height) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMax = 0;
        double yMinPositive = Double.POSITIVE_INFINITY;
        for (Tick tick : xTicks) {
            xMin = Math.min(xMin, tick.value());
            xMax = Math.max(xMax, tick.value());
        }
        for (Series line : series) {
            for (int i = 0; i < line.xs().length; i++) {
                xMin = Math.min(xMin, line.xs()[i]);
                xMax = Math.max(xMax, line.xs()[i]);
                yMax = Math.max(yMax, line.ys()[i]);
                if (line.ys()[i] > 0) {
                    yMinPositive = Math.min(yMinPositive, line.ys()[i]);
                }
            }
        }
        if (!(xMax > xMin)) {
            xMin = 0;
            xMax = 1;
        }
        int plotWidth = width - MARGIN_LEFT - MARGIN_RIGHT;
        int plotHeight = height - MARGIN_TOP - MARGIN_BOTTOM;
        double[] yTicks;
        Scale scale;
        if (logY) {
            int bottomPower = yMinPositive == Double.POSITIVE_INFINITY ? 0 : (int) Math.floor(Math.log10(yMinPositive));
            int topPower = Math.max(bottomPower + 1, (int) Math.ceil(Math.log10(Math.max(yMax, 1e-300))));
            yTicks = new double[topPower - bottomPower + 1];
            for (int i = 0; i < yTicks.length; i++) {
                yTicks[i] = Math.pow(10, bottomPower + i);
            }
            scale = new Scale(xMin, xMax, bottomPower, topPower, true, plotWidth, plotHeight);
        } else {
            double yTop = niceCeiling(yMax);
            yTicks = new double[Y_TICKS + 1];
            for (int i = 0; i <= Y_TICKS; i++) {
                yTicks[i] = yTop * i / Y_TICKS;
            }
            scale = new Scale(xMin, xMax, 0, yTop, false, plotWidth, plotHeight);
        }

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                        + "height=\"%d\" role=\"img\" aria-label=\"%s\">%n",
                width,
                height,
                width,
                height,
                Html.escape(title)));
        svg.append("<title>").append(Html.escape(title)).append("</title>\n");
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                MARGIN_LEFT,
                Html.escape(title)));
        for (double value : yTicks) {
            double y = scale.y(value);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    MARGIN_LEFT,
                    y,
                    MARGIN_LEFT + plotWidth,
                    y));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                    MARGIN_LEFT - 6,
                    y + 4,
                    Html.escape(compact(value))));
        }
        for (Tick tick : xTicks) {
            double x = scale.x(tick.value());
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x,
                    MARGIN_TOP,
                    x,
                    MARGIN_TOP + plotHeight));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    MARGIN_TOP + plotHeight + 15,
                    Html.escape(tick.label())));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                MARGIN_LEFT,
                MARGIN_TOP,
                plotWidth,
                plotHeight));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>%n",
                MARGIN_LEFT + plotWidth / 2,
                height - 8,
                Html.escape(xLabel)));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                        + "transform=\"rotate(-90 14 %d)\">%s</text>%n",
                MARGIN_TOP + plotHeight / 2,
                MARGIN_TOP + plotHeight / 2,
                Html.escape(yLabel)));
        int legendY = MARGIN_TOP + 14;
        for (Series line : series) {
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
                    .append(Html.escape(line.color()))
                    .append(line.dashed() ? "\" stroke-dasharray=\"6 4" : "")
                    .append("\" points=\"");
            for (int i = 0; i < line.xs().length; i++) {
                svg.append(String.format(
                        Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", scale.x(line.xs()[i]), scale.y(line.ys()[i])));
            }
            svg.append("\"/>\n");
            int legendX = MARGIN_LEFT + 10;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke-width=\"2\" stroke=\"%s\"%s/>%n",
                    legendX,
                    legendY - 4,
                    legendX + 14,
                    legendY - 4,
                    Html.escape(line.color()),
                    line.dashed() ? " stroke-dasharray=\"4 2\"" : ""));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n",
                    legendX + 18,
                    legendY,
                    Html.escape(line.name())));
            legendY += 15;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The smallest value of the form {1, 2, 2.5, 5} x 10^k that is at least {@code value} (1 for 0). */
    static double niceCeiling(double value) {
        if (!(value > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** A short label: 1.5k, 2M, 250, 0.5. */
    static String compact(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 1e9) {
            return trim(value / 1e9) + "G";
        }
        if (magnitude >= 1e6) {
            return trim(value / 1e6) + "M";
        }
        if (magnitude >= 1e3) {
            return trim(value / 1e3) + "k";
        }
        return trim(value);
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.2f", value);
        return text.replaceAll("\\.?0+$", "");
    }

    /**
     * Maps data coordinates to the plot area; y grows downwards in SVG. On a log scale {@code yBottom}
     * and {@code yTop} are powers of ten's exponents.
     */
    private record Scale(
            double xMin, double xMax, double yBottom, double yTop, boolean log, int plotWidth, int plotHeight) {
        double x(double value) {
            return MARGIN_LEFT + (value - xMin) / (xMax - xMin) * plotWidth;
        }

        double y(double value) {
            double position = log ? (value > 0 ? Math.log10(value) : yBottom) : value;
            double share = (Math.max(yBottom, Math.min(position, yTop)) - yBottom) / (yTop - yBottom);
            return MARGIN_TOP + plotHeight - share * plotHeight;
        }
    }
}
