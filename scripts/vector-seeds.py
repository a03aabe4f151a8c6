#!/usr/bin/env python3
"""Writes the bytes of every shared/vectors/**/*.json example (and the msg/rtf streams) into one folder,
one file each, to seed the fuzzers. Usage: vector-seeds.py SHARED_DIR OUT_DIR"""
import glob, json, os, shutil, sys

shared, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
for path in glob.glob(os.path.join(shared, 'vectors', '**', '*.json'), recursive=True):
    try:
        data = bytes.fromhex(json.load(open(path, encoding='utf-8'))['hex'])
    except (KeyError, ValueError):
        continue
    with open(os.path.join(out, os.path.basename(path)[:-5] + '.bin'), 'wb') as f:
        f.write(data)
    n += 1
for path in glob.glob(os.path.join(shared, 'vectors', 'msg', 'rtf', '*.lzfu')):
    shutil.copy(path, out)
    n += 1
print(f'{n} seeds in {out}')
