package io.github.lrschedules.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lrschedules.examples.profile.RunProfile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** The shipped gpu-profiles parse, and every bad key or value is named with its file. */
class RunProfileTest {

    /** The tests run in examples/; the profiles are beside it. */
    static final Path PROFILES = Path.of("..", "gpu-profiles");

    @TempDir
    Path dir;

    @Test
    void everyShippedProfileParses() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(PROFILES, "*.properties")) {
            for (Path file : files) {
                RunProfile profile = RunProfile.load(file);
                names.add(file.getFileName().toString());
                assertThat(profile.description()).as(file.toString()).isNotBlank();
                assertThat(profile.batch()).as(file.toString()).isNotNull().isPositive();
            }
        }
        assertThat(names).contains("cpu.properties", "cuda.properties", "cuda-24gb.properties", "cuda-80gb.properties");
    }

    @Test
    void valuesAreRead() {
        RunProfile cpu = RunProfile.load(PROFILES.resolve("cpu.properties"));
        assertThat(cpu.backend()).isEqualTo(RunProfile.Backend.CPU);
        assertThat(cpu.batch()).isEqualTo(64);
        assertThat(cpu.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(cpu.workspaceMode()).isEqualTo(WorkspaceMode.ENABLED);
        assertThat(cpu.prefetch()).isEqualTo(2);
        assertThat(cpu.layerHelpers()).isFalse();
        assertThat(cpu.maxBytes()).isZero();
        assertThat(cpu.maxPhysicalBytes()).isZero();

        RunProfile big = RunProfile.load(PROFILES.resolve("cuda-80gb.properties"));
        assertThat(big.backend()).isEqualTo(RunProfile.Backend.CUDA);
        assertThat(big.batch()).isEqualTo(1024);
        assertThat(big.maxPhysicalBytes()).isEqualTo(64L << 30);
        assertThat(big.cudaMaxDeviceCache()).isEqualTo(32L << 30);

        RunProfile defaults = RunProfile.defaults();
        assertThat(defaults.batch()).isNull();
        assertThat(defaults.backend()).isEqualTo(RunProfile.Backend.CPU);
        assertThat(defaults.maxBytes()).isZero();
        assertThat(defaults.maxPhysicalBytes()).isZero();
    }

    @Test
    void casesAndSizesAreLenient() throws IOException {
        Path file = Files.writeString(dir.resolve("p.properties"),
                "backend = CUDA\ndataType=Half\nworkspaceMode=none\nnd4j.maxBytes=512m\ncuda.maxDeviceCache=1234\n"
                        + "dl4j.layerHelpers=TRUE\n");
        RunProfile p = RunProfile.load(file);
        assertThat(p.layerHelpers()).isTrue();
        assertThat(p.backend()).isEqualTo(RunProfile.Backend.CUDA);
        assertThat(p.dataType()).isEqualTo(DataType.HALF);
        assertThat(p.workspaceMode()).isEqualTo(WorkspaceMode.NONE);
        assertThat(p.maxBytes()).isEqualTo(512L << 20);
        assertThat(p.cudaMaxDeviceCache()).isEqualTo(1234L);
    }

    @Test
    void zeroTurnsJavaCppsLimitsAndAccountingOff() throws IOException {
        Path file = Files.writeString(dir.resolve("z.properties"), "nd4j.maxBytes=0\nnd4j.maxPhysicalBytes=0\n");
        RunProfile p = RunProfile.load(file);
        assertThat(p.maxBytes()).isZero();
        assertThat(p.maxPhysicalBytes()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "batchsize=128       | unknown key 'batchsize' (value '128'); known keys: description, backend, batch",
        "batch=0             | key 'batch' has value '0': must be an integer from 1 to 65536",
        "batch=lots          | key 'batch' has value 'lots': must be an integer from 1",
        "dataType=int8       | key 'dataType' has value 'int8': must be one of float, double, half, bfloat16",
        "backend=tpu         | key 'backend' has value 'tpu': must be one of cpu, cuda",
        "workspaceMode=some  | key 'workspaceMode' has value 'some': must be one of enabled, none",
        "prefetch=-1         | key 'prefetch' has value '-1': must be an integer from 0 to 64",
        "dl4j.layerHelpers=yes | key 'dl4j.layerHelpers' has value 'yes': must be true or false",
        "nd4j.maxBytes=8gb   | key 'nd4j.maxBytes' has value '8gb': must be a size > 0 in bytes",
        "nd4j.maxBytes=0k    | key 'nd4j.maxBytes' has value '0k': must be a size > 0",
        "nd4j.maxPhysicalBytes=-1 | key 'nd4j.maxPhysicalBytes' has value '-1': must be a size > 0",
        "nd4j.maxPhysicalBytes=99999999999t | key 'nd4j.maxPhysicalBytes' has value '99999999999t'",
        "cuda.maxDeviceCache=1g | key 'cuda.maxDeviceCache' (value '1g') needs backend=cuda",
    })
    void badKeysAndValuesNameFileKeyAndValue(String line, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.properties"), "# a profile\n" + line + "\n");
        assertThatThrownBy(() -> RunProfile.load(file))
                .isInstanceOf(ExamplesException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("nope.properties");
        assertThatThrownBy(() -> RunProfile.load(file))
                .isInstanceOf(ExamplesException.class)
                .hasMessage("--profile " + file + ": no such file (the shipped profiles are in gpu-profiles/)");
    }
}
