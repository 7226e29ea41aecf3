package dev.tenantry.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table: a header row, a dashed rule, then rows, each column padded to its widest cell.
 * It is how every command prints what it found, so the output reads the same everywhere.
 */
public final class TextTable {

    private static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... headers) {
        this.headers = List.of(headers);
    }

    /** Adds a row; {@code null} cells print as {@code -}, missing cells as nothing. */
    public TextTable row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            Object cell = i < cells.length ? cells[i] : "";
            row.add(cell == null ? "-" : String.valueOf(cell));
        }
        rows.add(row);
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Prints the table, each line starting with {@code indent}; trailing blanks are left off. */
    public void print(PrintStream out, String indent) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println(indent + line(headers, widths));
        List<String> rule = new ArrayList<>();
        for (int width : widths) {
            char[] dashes = new char[width];
            Arrays.fill(dashes, '-');
            rule.add(new String(dashes));
        }
        out.println(indent + line(rule, widths));
        for (List<String> row : rows) {
            out.println(indent + line(row, widths));
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(GAP);
            }
            line.append(cells.get(i));
            if (i < cells.size() - 1) {
                line.append(" ".repeat(widths[i] - cells.get(i).length()));
            }
        }
        return line.toString().stripTrailing();
    }

    /** Left-aligns {@code value} in a field of {@code width}, for lines printed one at a time. */
    public static String pad(String value, int width) {
        return value.length() >= width ? value : value + " ".repeat(width - value.length());
    }
}
