package io.github.lrschedules.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.schedule.ISchedule;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Every schedule of the library's catalog survives the two serializers Spark ships configurations with: Java
 * serialization (the default) and Spark's KryoSerializer with DL4J's {@code Nd4jRegistrator}. Kryo builds objects
 * without calling constructors or {@code readResolve}, so a field derived in either is lost there; the test compares
 * {@code valueAt} over many steps, not only {@code equals}. The catalog lives in the library's tests (its test-jar),
 * so a new schedule cannot skip this test.
 */
class SparkSerializersTest {

    private static final ClassTag<Object> OBJECT = ClassTag$.MODULE$.apply(Object.class);
    private static final SerializerInstance KRYO = new KryoSerializer(new SparkConf()
            .set("spark.serializer", KryoSerializer.class.getName())
            .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")).newInstance();

    static Stream<ISchedule> schedules() {
        List<ISchedule> all = new ArrayList<>();
        for (ScheduleCatalog.Entry entry : ScheduleCatalog.all()) {
            all.add(entry.sample);
            all.add(entry.different);
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void javaSerializationKeepsEveryValue(ISchedule schedule) throws Exception {
        assertSameSchedule(schedule, javaRoundTrip(schedule));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void kryoWithNd4jRegistratorKeepsEveryValue(ISchedule schedule) {
        ByteBuffer bytes = KRYO.serialize(schedule, OBJECT);
        ISchedule copy = (ISchedule) KRYO.deserialize(bytes, OBJECT);
        assertSameSchedule(schedule, copy);
    }

    private static void assertSameSchedule(ISchedule original, ISchedule copy) {
        assertThat(copy).isNotSameAs(original).isEqualTo(original).hasSameHashCodeAs(original);
        for (int k = 0; k < 400; k++) {
            int epoch = k / 7;
            assertThat(copy.valueAt(k, epoch)).as("valueAt(%s, %s)", k, epoch).isEqualTo(original.valueAt(k, epoch));
            assertThat(copy.valueAt(epoch, k)).as("valueAt(%s, %s)", epoch, k).isEqualTo(original.valueAt(epoch, k));
        }
        assertThat(copy.valueAt(1_000_000, 1_000_000)).isEqualTo(original.valueAt(1_000_000, 1_000_000));
    }

    private static ISchedule javaRoundTrip(ISchedule schedule) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(schedule);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (ISchedule) in.readObject();
        }
    }
}
