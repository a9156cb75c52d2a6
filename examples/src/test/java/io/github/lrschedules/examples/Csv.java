package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small CSV file (no quoting) read into rows keyed by column name. */
final class Csv {

    final List<String> header;
    final List<Map<String, String>> rows = new ArrayList<>();

    private Csv(List<String> header) {
        this.header = header;
    }

    static Csv read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).as(file.toString()).isNotEmpty();
        Csv csv = new Csv(List.of(lines.get(0).split(",", -1)));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells).as(file + ": " + line).hasSize(csv.header.size());
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < cells.length; i++) {
                row.put(csv.header.get(i), cells[i]);
            }
            csv.rows.add(row);
        }
        return csv;
    }

    /** Rows whose {@code column} equals {@code value}, in file order. */
    List<Map<String, String>> where(String column, String value) {
        List<Map<String, String>> result = new ArrayList<>();
        for (Map<String, String> row : rows) {
            if (value.equals(row.get(column))) {
                result.add(row);
            }
        }
        return result;
    }

    static double number(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
