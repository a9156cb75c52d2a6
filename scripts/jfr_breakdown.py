#!/usr/bin/env python3
"""Where one DL4J training thread spends its time, from a Java Flight Recorder file: the DL4J half of the op-level
breakdown in BENCHMARKS.md (torch.profiler's table, from scripts/pytorch_speed.py --profile, is the other half).

    JAVA_OPTS="-Xmx4g -XX:StartFlightRecording=filename=/tmp/lenet.jfr,settings=default" \\
        examples/run bench-speed --model lenet --data-dir DIR --images 5120 --rounds 3 --variants defaults
    python3 scripts/jfr_breakdown.py /tmp/lenet.jfr [--thread main] [--rows 25]

JFR samples a thread every 20 ms with settings=default: as jdk.ExecutionSample while it runs Java code, as
jdk.NativeMethodSample while it is inside a native method. (settings=profile samples Java code every 10 ms and native
code every 20 ms, so a phase in Java counts double against one in ND4J's native code: use default for shares.) ND4J runs every operation from the calling thread through
one JNI entry (Nd4jCpu.execCustomOp2, execBroadcast, execScalar, ...) and waits there for its OpenMP workers, so the
native samples of the training thread split its wall time by operation. Each sample is put under

    <the DL4J method that asked> -> <the ND4J entry it ended in>

(the deepest frame of DL4J or of ND4J's activations, losses and updaters; the JNI entry, or "Java" for a sample in Java code, or the native method's
name for anything else, e.g. JavaCPP's Pointer.physicalBytesInaccurate). Samples before the first and after the last
call of MultiLayerNetwork.fit are the set-up and are left out, so the shares are those of training.
Output: a Markdown table, the share of each row, largest first, and the sample count.

--phases A,B,...: instead, put every sample of the thread (from its first sample inside any phase to its last) under
the innermost frame whose "Class.method" contains one of the names (e.g. --phases
MultiLayerNetwork.fit,LearningRateReports.write,StatsListener.iterationDone,RunJournal.save,Trainer.measure), else
"(other)": where a whole `compare` epoch goes, listeners and evaluation included.
"""
import argparse
import collections
import json
import subprocess
import sys


# where a DL4J step asks ND4J for work: DL4J itself, and ND4J's activations, losses and updaters that DL4J calls
ASKERS = ("org.deeplearning4j", "org.nd4j.linalg.activations", "org.nd4j.linalg.lossfunctions",
          "org.nd4j.linalg.learning")


def frames(event):
    return [(f["method"]["type"]["name"].replace("/", "."), f["method"]["name"])
            for f in event["values"]["stackTrace"]["frames"]]


def classify(stack, native):
    cls, method = stack[0]
    short = lambda c, m: c.split(".")[-1] + "." + m
    if native and cls.endswith("Nd4jCpu"):
        entry = method
    elif native:
        entry = short(cls, method)
    else:
        entry = "Java"
    caller = next((short(c, m) for c, m in stack if c.startswith(ASKERS)), None)
    if caller is None:
        caller = next((short(c, m) for c, m in stack if c.startswith("io.github.lrschedules")), "(other)")
    return caller + " -> " + entry


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recording")
    p.add_argument("--thread", default="main", help="the training thread's Java name (default: %(default)s)")
    p.add_argument("--rows", type=int, default=25)
    p.add_argument("--jfr", default="jfr", help="the JDK's jfr tool (default: %(default)s)")
    p.add_argument("--phases", help="comma-separated Class.method names: split the thread's time by them")
    args = p.parse_args(argv)
    out = subprocess.run([args.jfr, "print", "--json", "--stack-depth", "64", "--events",
                          "jdk.ExecutionSample,jdk.NativeMethodSample", args.recording],
                         check=True, capture_output=True, text=True).stdout
    events = [e for e in json.loads(out)["recording"]["events"]
              if (e["values"].get("sampledThread") or {}).get("javaName") == args.thread]
    if args.phases:
        return phases(events, [n.strip() for n in args.phases.split(",") if n.strip()], args.thread)
    training = [e for e in events if any(c.endswith("MultiLayerNetwork") and m == "fit" for c, m in frames(e))]
    if not training:
        sys.exit("no sample of thread %r inside MultiLayerNetwork.fit in %s" % (args.thread, args.recording))
    counts = collections.Counter(classify(frames(e), e["type"] == "jdk.NativeMethodSample") for e in training)
    total = sum(counts.values())
    native = sum(1 for e in training if e["type"] == "jdk.NativeMethodSample")
    print("%d samples of thread %s inside MultiLayerNetwork.fit: %.1f%% in native code, %.1f%% in Java"
          % (total, args.thread, 100.0 * native / total, 100.0 * (total - native) / total))
    print()
    print("| DL4J method -> ND4J entry | share | samples |")
    print("|---|---:|---:|")
    for key, n in counts.most_common(args.rows):
        print("| %s | %.1f%% | %d |" % (key, 100.0 * n / total, n))
    rest = total - sum(n for _, n in counts.most_common(args.rows))
    if rest:
        print("| (%d other rows) | %.1f%% | %d |" % (len(counts) - args.rows, 100.0 * rest / total, rest))
    return 0


def phases(events, names, thread):
    def phase(e):
        for c, m in frames(e):
            full = c.split(".")[-1] + "." + m
            for n in names:
                if n in full:
                    return n
        return None
    tagged = sorted(((e["values"]["startTime"], phase(e)) for e in events), key=lambda t: t[0])
    inside = [i for i, (_, ph) in enumerate(tagged) if ph is not None]
    if not inside:
        sys.exit("no sample of thread %r in any of %s" % (thread, ", ".join(names)))
    span = tagged[inside[0]:inside[-1] + 1]
    counts = collections.Counter(ph or "(other)" for _, ph in span)
    total = len(span)
    print("%d samples of thread %s from the first to the last in a phase" % (total, thread))
    print()
    print("| phase (innermost frame) | share | samples |")
    print("|---|---:|---:|")
    for key, n in counts.most_common():
        print("| %s | %.1f%% | %d |" % (key, 100.0 * n / total, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
