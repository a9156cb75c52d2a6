package io.github.lrschedules.examples.cli;

import io.github.lrschedules.examples.data.DataSource;
import io.github.lrschedules.examples.model.ModelKind;
import io.github.lrschedules.examples.schedule.ScheduleName;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Command-line values with messages that list what is valid. */
public final class Converters {

    private Converters() {
    }

    static final class Schedule implements ITypeConverter<ScheduleName> {
        @Override
        public ScheduleName convert(String value) {
            try {
                return ScheduleName.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    public static final class Model implements ITypeConverter<ModelKind> {
        @Override
        public ModelKind convert(String value) {
            ModelKind kind = ModelKind.byId(value.trim());
            if (kind == null) {
                throw new TypeConversionException("unknown model '" + value + "'; valid models: mlp, lenet");
            }
            return kind;
        }
    }

    /** {@code --data}: auto, embedded or mnist (a directory is given with {@code --data-dir}). */
    static final class Data implements ITypeConverter<DataSource> {
        @Override
        public DataSource convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            switch (v) {
                case "auto":
                    return DataSource.AUTO;
                case "embedded":
                    return DataSource.EMBEDDED;
                case "mnist":
                    return DataSource.MNIST;
                default:
                    throw new TypeConversionException("unknown data source '" + value
                            + "'; valid: auto, embedded, mnist (or --data-dir DIR for an MNIST-format directory)");
            }
        }
    }
}
