#!/usr/bin/env python3
"""Writes a `git fast-import` stream for the git_cache benchmark: FILES files of about SIZE bytes of
incompressible data in a tree of folders, then COMMITS-1 more commits that each change a few files."""
import os
import sys

files, commits, size = (int(arg) for arg in sys.argv[1:4])
out = sys.stdout.buffer
mark = 0


def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)))
    out.write(data)
    out.write(b"\n")
    return mark


def commit(number, changes):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@hangar.invalid> %d +0000\n" % (1700000000 + number))
    message = b"commit %d" % number
    out.write(b"data %d\n%s\n" % (len(message), message))
    for path, blob_mark in changes:
        out.write(b"M 100644 :%d %s\n" % (blob_mark, path))
    out.write(b"\n")


def path(index):
    return b"src/d%03d/f%05d.dat" % (index % 400, index)


first = [(b"acb.yaml", blob(b"steps:\n  - cmd: busybox true\n"))]
first += [(path(i), blob(os.urandom(size))) for i in range(files)]
commit(0, first)
for number in range(1, commits):
    commit(number, [(path((number * 7 + k) % files), blob(os.urandom(256))) for k in range(3)])
