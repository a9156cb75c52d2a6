#!/usr/bin/env bash
# DL4J and PyTorch training throughput side by side, on the same images, in one run: every round runs, in an order
# rotated per round, DL4J as `examples/run` trains it (its default build, profile and thread count), DL4J as it ships
# (`examples/run --plain` with ND4J's and JavaCPP's own defaults: no layer helpers, an OpenMP thread per CPU, JavaCPP's
# memory accounting), the current PyTorch and, if given, a second PyTorch; each is a fresh
# process that measures --rounds 2 after a warm-up (bench-speed / scripts/pytorch_speed.py) and reports its median.
# Prints the median examples/s of each over the rounds and the median of the per-round ratios to examples/run.
#
#   scripts/speed_side_by_side.sh MODEL DATA_DIR IMAGES ROUNDS PYTHON [PYTHON2]
#   e.g. scripts/speed_side_by_side.sh lenet /usr/share/datasets/fashion-mnist 5120 3 \
#            "$REFENV/torch/bin/python" /usr/bin/python3
# (PYTHON: an interpreter with the current PyTorch CPU wheel, e.g. the reference environment's; PYTHON2: Debian's
# python3-torch 1.13). Both sides: batch 64, float32, SGD with Nesterov momentum, 2 threads on a 2-core machine
# (torch.set_num_threads(2); ND4J's OpenMP uses every core).
set -euo pipefail
model="${1:?model}"; data="${2:?data dir}"; images="${3:?images}"; rounds="${4:?rounds}"; py="${5:?python}"; py2="${6:-}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT
"$root/examples/run" bench-speed --help >/dev/null 2>&1
"$root/examples/run" --plain bench-speed --help >/dev/null 2>&1

sides=("DL4J, examples/run" "DL4J as it ships (--plain)" "PyTorch $("$py" -c 'import torch; print(torch.__version__)')")
if [ -n "$py2" ]; then
    sides+=("PyTorch $("$py2" -c 'import torch; print(torch.__version__)')")
fi
dl4j=(bench-speed --model "$model" --data-dir "$data" --images "$images" --rounds 2)
torch_args=("$root/scripts/pytorch_speed.py" --model "$model" --data-dir "$data" --images "$images" --rounds 2 --threads 2)
run_one() {
    case "$1" in
        0) "$root/examples/run" "${dl4j[@]}" --variants "$(default_variant)" ;;
        # DL4J's own defaults: an OpenMP thread per CPU, JavaCPP's limits (the heap, twice the heap) and accounting
        1) OMP_NUM_THREADS="$cpus" JAVA_OPTS="-Xmx4g -Dorg.bytedeco.javacpp.maxbytes=4g -Dorg.bytedeco.javacpp.maxphysicalbytes=8g" \
            "$root/examples/run" --plain "${dl4j[@]}" --variants defaults ;;
        2) "$py" "${torch_args[@]}" ;;
        3) "$py2" "${torch_args[@]}" ;;
    esac
}
# examples/run's build has DL4J's layer helpers on through its profile; bench-speed measures that as a variant
default_variant() {
    if [ "$("$root/examples/native-build")" = onednn ]; then echo "DL4J oneDNN layer helpers on"; else echo defaults; fi
}
value() {
    grep -E '^\| (defaults|DL4J oneDNN layer helpers on) \||^median examples/s' "$1" | head -1 \
        | sed -E 's/^median examples\/s: ([0-9.]+).*/\1/; s/^\| [^|]+\| *([0-9.]+) *\|.*/\1/'
}
cpus="$(nproc)"
n=${#sides[@]}
for ((r = 0; r < rounds; r++)); do
    for ((i = 0; i < n; i++)); do
        k=$(( (i + r) % n ))
        f="$log/$r-$k.txt"
        run_one "$k" >"$f" 2>&1 || { cat "$f" >&2; echo "${sides[$k]} failed" >&2; exit 1; }
        value "$f" >"$log/value-$r-$k"
        echo "round $((r + 1))/$rounds: ${sides[$k]}: $(cat "$log/value-$r-$k") examples/s"
    done
done
python3 - "$log" "$rounds" "$model" "$images" "${sides[@]}" <<'PY'
import statistics, sys
log, rounds, model, images, sides = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
v = [[float(open("%s/value-%d-%d" % (log, r, i)).read()) for r in range(rounds)] for i in range(len(sides))]
print()
print("%s, %s images, batch 64, %d rounds" % (model, images, rounds))
print()
print("| side | median examples/s | min | max | median of per-round ratios to DL4J, examples/run |")
print("|---|---:|---:|---:|---:|")
for i, s in enumerate(sides):
    ratios = [v[i][r] / v[0][r] for r in range(rounds)]
    print("| %s | %.0f | %.0f | %.0f | %.2f |" % (s, statistics.median(v[i]), min(v[i]), max(v[i]), statistics.median(ratios)))
PY
