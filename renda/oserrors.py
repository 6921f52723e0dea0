"""Why a file could not be read or written, in Chinese, for the messages of management commands.

`OSError.strerror` is the C library's English text (`No such file or directory`); a command's user reads this instead.
"""

import errno

REASONS = {
    errno.ENOENT: "文件或目录不存在",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接循环",
    errno.EIO: "读写出错（磁盘或网络存储故障）",
    errno.EDQUOT: "超出磁盘配额",
}


def reason(exc: OSError) -> str:
    """`文件或目录不存在` for ENOENT, and so on; an unlisted error by its code (`系统错误 EBUSY`)."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    if exc.errno:
        return f"系统错误 {errno.errorcode.get(exc.errno, exc.errno)}"
    return "系统错误"
