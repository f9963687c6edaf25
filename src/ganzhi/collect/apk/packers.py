"""加固 (packer) detection by native library names, stub classes and asset files.

A packed app keeps its real DEX encrypted and decrypts it at run time, so everything the static
DEX reader finds is incomplete; checks must then answer MANUAL/WARN, never a clean PASS.
Signatures: LibChecker-Rules native rules (Apache-2.0) for the `.so` names, and the packers' public
stub class names (the manifest's application class points at them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ganzhi.evidence.apk import PackerHit


@dataclass(frozen=True)
class PackerSignature:
    """How one packer shows itself."""

    id: str
    name: str
    vendor: str
    libs: tuple[str, ...] = ()  # regexes on the .so file name
    classes: tuple[str, ...] = ()  # class-name prefixes (dotted)
    files: tuple[str, ...] = ()  # regexes on other APK entry names (assets)


PACKERS: tuple[PackerSignature, ...] = (
    PackerSignature(
        "jiagu360",
        "360加固保",
        "北京奇虎科技有限公司",
        libs=(r"libjiagu(_a64|_x86|_x64|_art)?\.so", r"libprotectClass\.so"),
        classes=("com.stub.StubApp", "com.qihoo.util.", "com.qihoo360.replugin.loader"),
        files=(r"assets/libjiagu.*\.so", r"assets/\.appkey"),
    ),
    PackerSignature(
        "legu",
        "腾讯乐固",
        "深圳市腾讯计算机系统有限公司",
        libs=(r"libshell[a-z]?-[\d.]+\.so", r"libshell(super|x)?\.so", r"liblegudb\.so", r"libtup\.so"),
        classes=("com.tencent.StubShell.", "com.wrapper.proxyapplication."),
        files=(r"assets/0OO00l111l1l", r"assets/t86", r"assets/o0oooOO0ooOo\.dat"),
    ),
    PackerSignature(
        "bangcle",
        "梆梆安全",
        "北京梆梆安全科技有限公司",
        libs=(
            r"libDexHelper(-x86)?\.so",
            r"libSecShell(-x86)?\.so",
            r"libsecexe(\.x86)?\.so",
            r"libsecmain(\.x86)?\.so",
        ),
        classes=("com.secneo.apkwrapper.", "com.secshell.secData."),
        files=(r"assets/secData0\.jar", r"assets/classes\.jar", r"assets/bangcle_classes\.jar"),
    ),
    PackerSignature(
        "ijiami",
        "爱加密",
        "北京智游网安科技有限公司",
        libs=(r"libexec(main)?\.so", r"libijm[a-z]*\.so", r"libijiami.*\.so"),
        classes=("s.h.e.l.l.", "com.shell.SuperApplication"),
        files=(r"assets/ijiami\.(dat|ajm)", r"assets/ijm_lib/.*"),
    ),
    PackerSignature(
        "nesec",
        "网易易盾",
        "网易（杭州）网络有限公司",
        libs=(r"libnesec(-x86)?\.so", r"libnetsecsdk.*\.so"),
        classes=("com.netease.nis.wrapper.",),
        files=(r"assets/nis_.*",),
    ),
    PackerSignature(
        "baidu",
        "百度加固",
        "北京百度网讯科技有限公司",
        libs=(r"libbaiduprotect(_x86)?\.so",),
        classes=("com.baidu.protect.",),
        files=(r"assets/baiduprotect.*\.jar",),
    ),
    PackerSignature(
        "ali",
        "阿里聚安全",
        "阿里巴巴（中国）有限公司",
        libs=(r"libmobisec.*\.so", r"libsgmain\.so"),
        classes=("com.ali.mobisecenhance.",),
        files=(r"assets/aliprotector/.*",),
    ),
    PackerSignature(
        "dingxiang",
        "顶象加固",
        "顶象科技有限公司",
        libs=(r"libx3g\.so", r"libdx-?protect.*\.so"),
        classes=("com.dx.shield.",),
    ),
    PackerSignature(
        "naga",
        "娜迦加固",
        "北京娜迦信息科技发展有限公司",
        libs=(r"libchaosvmp\.so", r"libddog\.so", r"libfdog\.so", r"libedog\.so"),
        classes=("com.edog.", "com.chaozhuo.superme"),
    ),
    PackerSignature(
        "kiwi",
        "几维安全",
        "成都盈海益讯科技有限公司",
        libs=(r"libkwscmm\.so", r"libkwscr\.so", r"libkwslinker\.so"),
    ),
    PackerSignature(
        "tongfudun",
        "通付盾",
        "江苏通付盾科技有限公司",
        libs=(r"libegis(-x86)?\.so", r"libNSaferOnly\.so"),
    ),
)
_COMPILED = [
    (
        sig,
        [re.compile(p) for p in sig.libs],
        [re.compile(p) for p in sig.files],
    )
    for sig in PACKERS
]


def detect_packers(
    native_libs: Iterable[str], class_names: Iterable[str], entry_names: Iterable[str]
) -> list[PackerHit]:
    """Packers whose library, stub class or asset shows up; `matched` says what was seen.

    `class_names` may be dotted or descriptors; pass only candidates (see `stub_class_candidates`).
    """
    libs = sorted({lib.rsplit("/", 1)[-1] for lib in native_libs})
    classes = [c[1:-1].replace("/", ".") if c[:1] == "L" and c[-1:] == ";" else c for c in class_names]
    entries = [e for e in entry_names if e.startswith("assets/")]
    hits = []
    for sig, lib_res, file_res in _COMPILED:
        matched = [f"lib:{lib}" for lib in libs if any(r.fullmatch(lib) for r in lib_res)]
        matched += [f"class:{c}" for c in classes if c.startswith(sig.classes)] if sig.classes else []
        matched += [f"file:{e}" for e in entries if any(r.fullmatch(e) for r in file_res)]
        if matched:
            hits.append(PackerHit(id=sig.id, name=sig.name, vendor=sig.vendor, matched=sorted(set(matched))[:10]))
    return hits


def stub_class_candidates(descriptors: Iterable[str]) -> list[str]:
    """The descriptors that could be a packer stub class (cheap prefilter over every class)."""
    prefixes = tuple("L" + prefix.replace(".", "/") for sig in PACKERS for prefix in sig.classes)
    return [d for d in descriptors if d.startswith(prefixes)]
