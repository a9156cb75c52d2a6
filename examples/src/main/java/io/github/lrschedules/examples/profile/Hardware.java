package io.github.lrschedules.examples.profile;

import io.github.lrschedules.examples.ExamplesException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.Consumer;
import org.bytedeco.javacpp.Pointer;

/**
 * Puts a {@link RunProfile} into effect before ND4J starts, and makes sure the backend it asks for can run: a run that
 * asks for CUDA where there is no CUDA backend, driver or GPU ends with one message instead of ND4J's native stack
 * traces.
 */
public final class Hardware {

    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final String CUDA_RUNTIME_CLASS = "org.bytedeco.cuda.global.cudart";

    private Hardware() {
    }

    /**
     * Sets the memory limits, checks the backend and applies the CUDA settings. Call before anything touches ND4J.
     *
     * @param notice receives one line per setting that could not take effect
     * @throws ExamplesException if the profile asks for CUDA and CUDA cannot run here
     */
    public static void apply(RunProfile profile, Consumer<String> notice) {
        setMemoryLimit("org.bytedeco.javacpp.maxbytes", "nd4j.maxBytes", profile.maxBytes(), notice);
        setMemoryLimit("org.bytedeco.javacpp.maxphysicalbytes", "nd4j.maxPhysicalBytes", profile.maxPhysicalBytes(),
                notice);
        boolean cudaBuild = cudaBackendPresent();
        // DL4J M2.1 creates no oneDNN layer helper on the CPU unless told to; on CUDA it has none to create (its cuDNN
        // helpers were in deeplearning4j-cuda, which M2.1 does not publish)
        if (profile.layerHelpers() && cudaBuild) {
            notice.accept("Note: dl4j.layerHelpers applies to the CPU only; ignored on the CUDA build.");
        }
        if (profile.layerHelpers() && !cudaBuild && !LayerHelpers.bridgePresent()) {
            notice.accept("Note: dl4j.layerHelpers needs the oneDNN build of the examples (examples/run --onednn, the"
                    + " default on x86 CPUs with AVX2); this build trains without layer helpers.");
        }
        LayerHelpers.enable(profile.layerHelpers() && !cudaBuild);
        if (profile.backend() == RunProfile.Backend.CUDA && !cudaBuild) {
            throw new ExamplesException("profile " + profile.name() + " asks for CUDA (backend=cuda), but these examples"
                    + " were built with the CPU backend only. On a machine with an NVIDIA GPU run `examples/run --cuda"
                    + " ...` (Maven profile -Pcuda); on this machine use --profile gpu-profiles/cpu.properties.");
        }
        if (cudaBuild) {
            String problem = cudaProblem();
            if (problem != null) {
                throw new ExamplesException("CUDA cannot run here: " + problem + ". The CUDA build of the examples needs"
                        + " an NVIDIA GPU with a driver for CUDA 11.6 (check `nvidia-smi`) and the CUDA 11.6 / cuDNN 8.3"
                        + " libraries (installed, or bundled with `-Pcuda,cuda-redist`). To train on the CPU run"
                        + " examples/run without --cuda.");
            }
            if (profile.backend() == RunProfile.Backend.CPU && !profile.isDefaults()) {
                notice.accept("Note: profile " + profile.name() + " is written for the CPU, but this build has the CUDA"
                        + " backend: training on the GPU.");
            }
            if (profile.cudaMaxDeviceCache() != null) {
                setCudaDeviceCache(profile.cudaMaxDeviceCache());
            }
        }
    }

    /** True if the examples were built with {@code -Pcuda} (ND4J's CUDA backend is on the classpath). */
    public static boolean cudaBackendPresent() {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, Hardware.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Asks the CUDA runtime for devices the way ND4J's backend does, but quietly.
     *
     * @return what is wrong, or null if at least one CUDA device answers
     */
    static String cudaProblem() {
        try {
            Class<?> runtime = Class.forName(CUDA_RUNTIME_CLASS, true, Hardware.class.getClassLoader());
            Method deviceCount = runtime.getMethod("cudaGetDeviceCount", int[].class);
            int[] count = {0};
            int error = (Integer) deviceCount.invoke(null, (Object) count);
            if (error != 0) {
                return "cudaGetDeviceCount returned CUDA error " + error + describe(error);
            }
            return count[0] > 0 ? null : "the CUDA runtime found no GPU";
        } catch (ClassNotFoundException e) {
            return "JavaCPP's CUDA presets (org.bytedeco:cuda) are not on the classpath";
        } catch (InvocationTargetException e) {
            return "the CUDA runtime failed: " + describe(e.getCause());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return "the CUDA runtime library could not be loaded (" + describe(e) + ")";
        }
    }

    private static String describe(int cudaError) {
        switch (cudaError) {
            case 35:
                return " (cudaErrorInsufficientDriver: no NVIDIA driver, or one older than CUDA 11.6 needs)";
            case 100:
                return " (cudaErrorNoDevice: no CUDA-capable GPU)";
            case 999:
                return " (cudaErrorUnknown)";
            default:
                return "";
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null && message.indexOf('\n') >= 0) {
            message = message.substring(0, message.indexOf('\n'));
        }
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void setMemoryLimit(String property, String key, Long bytes, Consumer<String> notice) {
        if (bytes == null) {
            return;
        }
        String explicit = System.getProperty(property);
        if (explicit != null && !explicit.equals(Long.toString(bytes))) {
            notice.accept("Note: " + key + " of the profile is ignored: the JVM was started with -D" + property + "="
                    + explicit + ".");
            return;
        }
        System.setProperty(property, Long.toString(bytes));
        // JavaCPP reads the limits once, when it starts; a JVM in which ND4J already runs keeps its old limits.
        long applied = property.endsWith("maxbytes") ? Pointer.maxBytes() : Pointer.maxPhysicalBytes();
        if (applied != bytes) {
            notice.accept("Note: " + key + "=" + bytes + " could not take effect because ND4J was already running in"
                    + " this JVM (limit stays " + applied + "); pass -D" + property + "=" + bytes + " to java.");
        }
    }

    private static void setCudaDeviceCache(long bytes) {
        try {
            Class<?> environment = Class.forName("org.nd4j.jita.conf.CudaEnvironment");
            Object instance = environment.getMethod("getInstance").invoke(null);
            Object configuration = environment.getMethod("getConfiguration").invoke(instance);
            configuration.getClass().getMethod("setMaximumDeviceCache", long.class).invoke(configuration, bytes);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new ExamplesException("cuda.maxDeviceCache could not be applied: " + describe(e), e);
        }
    }
}
