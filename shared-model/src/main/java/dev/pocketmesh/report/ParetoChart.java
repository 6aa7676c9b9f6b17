package dev.pocketmesh.report;

import dev.pocketmesh.search.ParetoChoice;
import java.util.Locale;

/**
 * A Pareto front drawn as text, for {@code report.md}: accuracy up, cost to the right; each member a {@code o},
 * the picked one a {@code *}. Plain characters, so it reads the same in a terminal, a diff and a rendered page.
 */
final class ParetoChart {
    static final int WIDTH = 48;
    static final int HEIGHT = 12;

    private ParetoChart() {
    }

    static String render(ParetoChoice.Choice choice) {
        double minCost = Double.POSITIVE_INFINITY;
        double maxCost = Double.NEGATIVE_INFINITY;
        double minAcc = Double.POSITIVE_INFINITY;
        double maxAcc = Double.NEGATIVE_INFINITY;
        for (ParetoChoice.Member m : choice.front()) {
            minCost = Math.min(minCost, m.cost());
            maxCost = Math.max(maxCost, m.cost());
            minAcc = Math.min(minAcc, m.accuracy());
            maxAcc = Math.max(maxAcc, m.accuracy());
        }
        char[][] grid = new char[HEIGHT][WIDTH];
        for (char[] row : grid) {
            java.util.Arrays.fill(row, ' ');
        }
        for (ParetoChoice.Member m : choice.front()) {
            int x = scale(m.cost(), minCost, maxCost, WIDTH);
            int y = HEIGHT - 1 - scale(m.accuracy(), minAcc, maxAcc, HEIGHT);
            grid[y][x] = m.equals(choice.picked()) ? '*' : (grid[y][x] == '*' ? '*' : 'o');
        }
        StringBuilder out = new StringBuilder();
        for (int y = 0; y < HEIGHT; y++) {
            String label = y == 0 ? pct(maxAcc) : y == HEIGHT - 1 ? pct(minAcc) : "";
            out.append(String.format(Locale.ROOT, "%8s |", label)).append(new String(grid[y]).stripTrailing())
                    .append('\n');
        }
        out.append(" ".repeat(9)).append('+').append("-".repeat(WIDTH)).append('\n');
        String left = num(minCost);
        String right = num(maxCost) + " " + choice.cost();
        out.append(" ".repeat(10)).append(left)
                .append(" ".repeat(Math.max(1, WIDTH - left.length() - right.length()))).append(right).append('\n');
        out.append(" ".repeat(10)).append("accuracy (up) vs ").append(choice.cost())
                .append(" (right); * = picked\n");
        return out.toString();
    }

    private static int scale(double v, double lo, double hi, int cells) {
        return hi > lo ? (int) Math.round((v - lo) / (hi - lo) * (cells - 1)) : (cells - 1) / 2;
    }

    private static String pct(double accuracy) {
        return String.format(Locale.ROOT, "%.2f%%", accuracy * 100);
    }

    private static String num(double v) {
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
