#!/usr/bin/env bash
# The speed settings that take effect only when a JVM starts, measured like bench-speed's in-JVM variants: every round
# starts one JVM per setting, in an order rotated per round, each training fresh networks on the same images
# (`examples/run bench-speed --rounds 2 --variants ...`, the median of its two measurements after its warm-up);
# prints the median examples/s per setting and the median of the per-round ratios to the first setting.
#
#   scripts/bench_jvm_settings.sh MODEL DATA_DIR IMAGES ROUNDS
#   e.g. scripts/bench_jvm_settings.sh lenet /usr/share/datasets/fashion-mnist 5120 3
#
# Settings (every one differs from the first in one thing):
#   examples/run            what `examples/run compare` trains with on this CPU: ND4J's oneDNN-AVX2 build, DL4J's layer
#                           helpers, JavaCPP's memory accounting on (gpu-profiles/cpu-onednn.properties: maxBytes 4g,
#                           so maxPhysicalBytes 8g), OpenMP threads = cores
#   accounting off          -Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0
#   OMP_NUM_THREADS=1       one OpenMP thread
#   oneDNN-AVX512 build     the nd4j-native classifier linux-x86_64-onednn-avx512 in place of -onednn-avx2 (needs it in
#                           the Maven repository: mvn dependency:get -Dartifact=org.nd4j:nd4j-native:1.0.0-M2.1:jar:linux-x86_64-onednn-avx512)
#   plain build             examples/run --plain: ND4J's build without oneDNN, no layer helpers (DL4J as it ships)
#   1 thread, no accounting OMP_NUM_THREADS=1 and accounting off together
#   ... + oneDNN-AVX512     the same on the oneDNN-AVX512 build
# SETTINGS="examples/run|1 thread, no accounting" (names separated by |) measures only those, in that order.
set -euo pipefail
model="${1:?model}"; data="${2:?data dir}"; images="${3:?images}"; rounds="${4:?rounds}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
helpers="DL4J oneDNN layer helpers on"
avx512_jar="$repo/org/nd4j/nd4j-native/1.0.0-M2.1/nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx512.jar"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT

"$root/examples/run" bench-speed --help >/dev/null 2>&1   # compile both builds first, outside the timing
"$root/examples/run" --plain bench-speed --help >/dev/null 2>&1

settings=("examples/run" "accounting off" "OMP_NUM_THREADS=1" "plain build")
if [ -f "$avx512_jar" ]; then
    settings+=("oneDNN-AVX512 build")
fi
settings+=("1 thread, no accounting")
if [ -f "$avx512_jar" ]; then
    settings+=("1 thread, no accounting, oneDNN-AVX512")
fi
if [ -n "${SETTINGS:-}" ]; then
    IFS='|' read -r -a settings <<<"$SETTINGS"
fi
no_accounting="-Dorg.bytedeco.javacpp.maxbytes=0 -Dorg.bytedeco.javacpp.maxphysicalbytes=0"
args=(bench-speed --model "$model" --data-dir "$data" --images "$images" --rounds 2)
run_one() {
    local setting="$1" out="$2"
    case "$setting" in
        "examples/run") "$root/examples/run" "${args[@]}" --variants "$helpers" ;;
        "accounting off") JAVA_OPTS="-Xmx4g $no_accounting" "$root/examples/run" "${args[@]}" --variants "$helpers" ;;
        "1 thread, no accounting") OMP_NUM_THREADS=1 JAVA_OPTS="-Xmx4g $no_accounting" \
            "$root/examples/run" "${args[@]}" --variants "$helpers" ;;
        "OMP_NUM_THREADS=1") OMP_NUM_THREADS=1 "$root/examples/run" "${args[@]}" --variants "$helpers" ;;
        "plain build") "$root/examples/run" --plain "${args[@]}" --variants defaults ;;
        "oneDNN-AVX512 build"|"1 thread, no accounting, oneDNN-AVX512")
            local target="$root/examples/target/onednn" opts="" threads=()
            if [ "$setting" != "oneDNN-AVX512 build" ]; then
                opts="$no_accounting"
                threads=(OMP_NUM_THREADS=1)
            fi
            env ${threads[@]+"${threads[@]}"} java -Xmx4g $opts -Djava.awt.headless=true -Dorg.bytedeco.javacpp.platform.extension=-onednn-avx512 \
                "-Dlrschedules.examples.profile=$root/gpu-profiles/cpu-onednn.properties" \
                -cp "$target/classes:$avx512_jar:$(cat "$target/classpath-onednn.txt")" \
                io.github.lrschedules.examples.Main "${args[@]}" --variants "$helpers" ;;
    esac >"$out" 2>&1
}
n=${#settings[@]}
for ((r = 0; r < rounds; r++)); do
    for ((i = 0; i < n; i++)); do
        s="${settings[$(( (i + r) % n ))]}"
        f="$log/$r-$(( (i + r) % n )).txt"
        run_one "$s" "$f" || { cat "$f" >&2; echo "setting '$s' failed" >&2; exit 1; }
        v="$(grep -E '^\| (defaults|DL4J oneDNN layer helpers on) \|' "$f" | head -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')"
        echo "round $((r + 1))/$rounds: $s: $v examples/s"
        echo "$v" >"$log/value-$r-$(( (i + r) % n ))"
    done
done
python3 - "$log" "$rounds" "${settings[@]}" <<'PY'
import statistics, sys
log, rounds, settings = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
v = [[float(open("%s/value-%d-%d" % (log, r, i)).read()) for r in range(rounds)] for i in range(len(settings))]
print()
print("| setting | median examples/s | min | max | median of per-round ratios |")
print("|---|---:|---:|---:|---:|")
for i, s in enumerate(settings):
    ratios = [v[i][r] / v[0][r] for r in range(rounds)]
    print("| %s | %.0f | %.0f | %.0f | %.3f |" % (s, statistics.median(v[i]), min(v[i]), max(v[i]), statistics.median(ratios)))
PY
