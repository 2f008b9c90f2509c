"""A seccomp BPF filter, assembled by hand, that denies what a shape snippet never needs.

It is a deny list on top of the namespaces, not the only wall: every call denied here is one that
would let code inspect or attack the kernel, the host or a concurrent job (tracing, mounting,
namespaces, keyrings, BPF, perf, modules, reboot, io_uring, network sockets other than AF_UNIX,
terminal injection, and file locks, leases and change notifications, which would be covert
channels through the read-only files every job shares). Denied calls fail with an errno so
that Python raises an ordinary OSError; a foreign ABI (i386 via int 0x80, x32) kills it.

Only x86_64 is described; on any other machine `build_filter` raises and the sandbox fails closed.
"""

from __future__ import annotations

import ctypes
import errno
import struct

from sandbox import syscalls

AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6];
OFFSET_NR = 0
OFFSET_ARCH = 4


def _arg_low(index: int) -> int:
    # Little-endian: the low 32 bits of args[i]. Every argument checked below is an int or an
    # unsigned int in the kernel's prototype, so the high half is ignored by the kernel too.
    return 16 + 8 * index


BPF_LD_W_ABS = 0x20
BPF_JEQ = 0x15
BPF_JGE = 0x35
BPF_JSET = 0x45
BPF_RET = 0x06

AF_UNIX = 1
TIOCSTI = 0x5412
TIOCLINUX = 0x541C
# F_GETLK, F_SETLK(W), F_OFD_GETLK, F_OFD_SETLK(W): locks on shared files are covert channels;
# F_SETLEASE, F_GETLEASE, F_NOTIFY (dnotify): so are leases and change notifications.
DENIED_FCNTL_COMMANDS = (5, 6, 7, 36, 37, 38, 1024, 1025, 1026)

# x86_64 numbers, from arch/x86/entry/syscalls/syscall_64.tbl.
X86_64_DENIED = {
    "ptrace": 101,
    "syslog": 103,
    "personality": 135,
    "uselib": 134,
    "vhangup": 153,
    "pivot_root": 155,
    "_sysctl": 156,
    "adjtimex": 159,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "sethostname": 170,
    "setdomainname": 171,
    "iopl": 172,
    "ioperm": 173,
    "create_module": 174,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "nfsservctl": 180,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "migrate_pages": 256,
    "unshare": 272,
    "move_pages": 279,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "pidfd_getfd": 438,
    "mount_setattr": 442,
    "quotactl_fd": 443,
    "memfd_secret": 447,
    "flock": 73,
    # File-change notifications: a watch on a file of the shared read-only binds would see a
    # concurrent job open and read it, a covert channel between jobs.
    "inotify_init": 253,
    "inotify_add_watch": 254,
    "inotify_init1": 294,
}
X86_64_SOCKET = 41
X86_64_SOCKETPAIR = 53
X86_64_CLONE = 56
X86_64_CLONE3 = 435
X86_64_IOCTL = 16
X86_64_FCNTL = 72


class _Assembler:
    """Classic BPF with symbolic jump targets, resolved to the 8-bit relative offsets BPF uses."""

    def __init__(self) -> None:
        self.code: list[tuple[int, object, object, int]] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def load(self, offset: int) -> None:
        self.code.append((BPF_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, value: int, if_true: object = 0, if_false: object = 0) -> None:
        self.code.append((op, if_true, if_false, value))

    def ret(self, value: int) -> None:
        self.code.append((BPF_RET, 0, 0, value))

    def _offset(self, position: int, target: object) -> int:
        if isinstance(target, int):
            return target
        distance = self.labels[str(target)] - position - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"jump to {target} out of range ({distance})")
        return distance

    def assemble(self) -> bytes:
        out = bytearray()
        for position, (code, if_true, if_false, value) in enumerate(self.code):
            jt = self._offset(position, if_true)
            jf = self._offset(position, if_false)
            out += struct.pack("=HBBI", code, jt, jf, value & 0xFFFFFFFF)
        return bytes(out)


def _errno(code: int) -> int:
    return SECCOMP_RET_ERRNO | (code & 0xFFFF)


def build_filter() -> bytes:
    """Return the filter program as packed `struct sock_filter` entries."""
    if syscalls.MACHINE != "x86_64":
        raise OSError(0, f"no seccomp syscall table for {syscalls.MACHINE}")
    asm = _Assembler()
    asm.load(OFFSET_ARCH)
    asm.jump(BPF_JEQ, AUDIT_ARCH_X86_64, 0, "kill")
    asm.load(OFFSET_NR)
    asm.jump(BPF_JGE, X32_SYSCALL_BIT, "kill", 0)
    for number in sorted(set(X86_64_DENIED.values())):
        asm.jump(BPF_JEQ, number, "eperm", 0)
    asm.jump(BPF_JEQ, X86_64_SOCKET, "socket", 0)
    asm.jump(BPF_JEQ, X86_64_SOCKETPAIR, "socket", 0)
    asm.jump(BPF_JEQ, X86_64_CLONE, "clone", 0)
    # ENOSYS makes glibc fall back from clone3 to clone, whose flags BPF can inspect.
    asm.jump(BPF_JEQ, X86_64_CLONE3, "enosys", 0)
    asm.jump(BPF_JEQ, X86_64_IOCTL, "ioctl", 0)
    asm.jump(BPF_JEQ, X86_64_FCNTL, "fcntl", 0)
    asm.ret(SECCOMP_RET_ALLOW)

    asm.label("socket")
    asm.load(_arg_low(0))
    asm.jump(BPF_JEQ, AF_UNIX, "allow", 0)
    asm.ret(_errno(errno.EAFNOSUPPORT))

    asm.label("clone")
    asm.load(_arg_low(0))
    asm.jump(BPF_JSET, syscalls.NAMESPACE_FLAGS, "eperm", "allow")

    asm.label("ioctl")
    asm.load(_arg_low(1))
    asm.jump(BPF_JEQ, TIOCSTI, "eperm", 0)
    asm.jump(BPF_JEQ, TIOCLINUX, "eperm", "allow")

    asm.label("fcntl")
    asm.load(_arg_low(1))
    for command in DENIED_FCNTL_COMMANDS:
        asm.jump(BPF_JEQ, command, "eperm", 0)
    asm.ret(SECCOMP_RET_ALLOW)

    asm.label("allow")
    asm.ret(SECCOMP_RET_ALLOW)
    asm.label("eperm")
    asm.ret(_errno(errno.EPERM))
    asm.label("enosys")
    asm.ret(_errno(errno.ENOSYS))
    asm.label("kill")
    asm.ret(SECCOMP_RET_KILL_PROCESS)
    return asm.assemble()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_filter(program: bytes) -> None:
    """Install `program` on the calling thread. Requires no_new_privs (or CAP_SYS_ADMIN)."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    syscalls.prctl_pointer(
        syscalls.PR_SET_SECCOMP,
        syscalls.SECCOMP_MODE_FILTER,
        ctypes.cast(ctypes.pointer(fprog), ctypes.c_void_p),
    )
