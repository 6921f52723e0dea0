"""What the network's commands say, in Chinese, when a file cannot be read or written (no English OS errors,
no tracebacks)."""

import json

from django.core.management.base import CommandError


def os_error(exc: OSError, path: str, *, writing: bool) -> CommandError:
    """A CommandError naming the file and what is wrong with it."""
    if isinstance(exc, FileNotFoundError):
        reason = "所在目录不存在" if writing else "文件不存在"
    elif isinstance(exc, IsADirectoryError):
        reason = "这是一个目录，不是文件"
    elif isinstance(exc, NotADirectoryError):
        reason = "路径中有一段不是目录"
    elif isinstance(exc, PermissionError):
        reason = "没有写入权限" if writing else "没有读取权限"
    else:
        reason = "磁盘已满或系统拒绝写入" if writing else "系统拒绝读取"
    return CommandError(f"无法{'写入' if writing else '读取'} {path}：{reason}。")


def json_error(exc: ValueError, path: str) -> CommandError:
    """A CommandError for a file that is not JSON (or not UTF-8 text), with the line and column where it fails."""
    if isinstance(exc, json.JSONDecodeError):
        return CommandError(f"无法读取 {path}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）。")
    return CommandError(f"无法读取 {path}：文件不是 UTF-8 编码的文本。")


def write_bytes(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise os_error(exc, path, writing=True) from None


def write_text(path: str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
