"""Collectors: one sub-package per evidence source. Each reads the outside world (a file, a URL, a device, a live
probe) once and writes typed evidence; nothing downstream reads the source again.
"""
