"""bpf(): load a socket filter program and create a map (a favourite of kernel exploits)."""
import ctypes
import errno
import json

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
BPF_MAP_CREATE, BPF_PROG_LOAD = 0, 5
report = {}
attr = (ctypes.c_uint32 * 32)(2, 4, 8, 16)  # BPF_MAP_TYPE_ARRAY, key 4, value 8, 16 entries
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(321), ctypes.c_long(BPF_MAP_CREATE), ctypes.byref(attr),
                      ctypes.c_long(ctypes.sizeof(attr)))
report["map_create"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
program = (ctypes.c_uint64 * 2)(0x00000000000000B7, 0x0000000000000095)  # mov r0, 0; exit
license_text = ctypes.create_string_buffer(b"GPL")
prog_attr = (ctypes.c_uint64 * 16)()
ctypes.memmove(prog_attr, (ctypes.c_uint32 * 2)(1, 2), 8)  # SOCKET_FILTER, 2 instructions
prog_attr[1] = ctypes.addressof(program)
prog_attr[2] = ctypes.addressof(license_text)
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(321), ctypes.c_long(BPF_PROG_LOAD), ctypes.byref(prog_attr),
                      ctypes.c_long(ctypes.sizeof(prog_attr)))
report["prog_load"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
