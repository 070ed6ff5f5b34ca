#!/usr/bin/env python3
"""Print the sizes of the allocated sections of an ELF file (like `size -A`, for any
architecture): .text, .rodata, .data, .bss and their sum of code + read-only data."""
import struct
import sys

def sections(path):
    data = open(path, "rb").read()
    assert data[:4] == b"\x7fELF", "not an ELF file"
    is64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x2E)
    headers = []
    for i in range(shnum):
        at = shoff + i * shentsize
        if is64:
            name, kind, flags, addr, offset, size = struct.unpack_from(endian + "IIQQQQ", data, at)
        else:
            name, kind, flags, addr, offset, size = struct.unpack_from(endian + "IIIIII", data, at)
        headers.append((name, flags, offset, size))
    strtab = headers[shstrndx]
    result = {}
    for name, flags, offset, size in headers:
        if flags & 0x2:  # SHF_ALLOC
            end = data.index(b"\0", strtab[2] + name)
            result[data[strtab[2] + name:end].decode()] = size
    return result

# `--max BYTES` before a file: the size regression check — fail when its code and
# read-only data (.text + .rodata, the footprint table's figure) exceed BYTES.
limit = None
failed = []
for path in sys.argv[1:]:
    if path == "--max":
        limit = "next"
        continue
    if limit == "next":
        limit = int(path)
        continue
    found = sections(path)
    flash = sum(size for name, size in found.items() if name.startswith((".text", ".rodata", ".ARM")) or name == ".data")
    print(path)
    for name in sorted(found):
        print(f"  {name:<20} {found[name]:>8}")
    print(f"  {'flash (text+rodata+data)':<20} {flash:>8}")
    code = sum(size for name, size in found.items() if name.startswith((".text", ".rodata")))
    if limit is not None:
        verdict = "within" if code <= limit else "OVER"
        print(f"  {'code + rodata':<20} {code:>8}  ({verdict} the limit of {limit})")
        if code > limit:
            failed.append(f"{path}: {code} bytes of code and read-only data, over its limit of {limit}")
        limit = None

if failed:
    for line in failed:
        print("size regression:", line, file=sys.stderr)
    sys.exit(1)
