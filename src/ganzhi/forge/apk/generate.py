"""Generate big APK specs programmatically, with a known ground truth of planted call sites.

Used by tests (small sizes) and the benchmark (≥150k classes over ≥8 DEX files). Classes are
split over DEX files so each stays under the 65 536 method-reference limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    DexSpec,
    InvokeSpec,
    ManifestSpec,
    MethodSpec,
)

OBJECT_INIT = "Ljava/lang/Object;-><init>()V"
METHODS_PER_DEX = 60_000
FILLER_APIS = (
    "Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;",
    "Ljava/lang/String;->length()I",
    "Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I",
)


@dataclass(frozen=True)
class PlantedCall:
    """Ground truth: `caller_class.caller_method` invokes `api`."""

    api: str
    caller_class: str
    caller_method: str


@dataclass(frozen=True)
class GeneratedApk:
    """A generated spec and the call sites planted in it."""

    spec: ApkSpec
    planted: tuple[PlantedCall, ...]


def generate_apk(
    *,
    package: str = "com.forge.big",
    classes: int = 1000,
    methods_per_class: int = 4,
    dex_files: int = 1,
    planted_apis: tuple[str, ...] = (),
    plant_every: int = 97,
    seed: int = 524,
) -> GeneratedApk:
    """A spec with `classes` classes spread over `dex_files` DEX files.

    `dex_files` is a minimum: more files are used when one would exceed the method-reference limit.
    Every `plant_every`-th class gets one method calling one of `planted_apis` (round robin);
    all other methods call filler APIs so the scanner has realistic non-matching invokes.
    """
    if classes < 1 or dex_files < 1 or methods_per_class < 1:
        raise ValueError(
            f"classes, dex_files and methods_per_class must be ≥ 1 (got {classes}, {dex_files}, {methods_per_class})"
        )
    # each DEX may reference at most 65 536 methods: use more files than asked when needed
    dex_files = max(dex_files, -(-classes * (methods_per_class + 1) // METHODS_PER_DEX))
    rng = random.Random(seed)
    planted: list[PlantedCall] = []
    per_dex: list[list[ClassSpec]] = [[] for _ in range(dex_files)]
    for i in range(classes):
        dotted = f"{package}.p{i % 50}.C{i}"
        methods = [MethodSpec("<init>", "()V", invokes=(InvokeSpec(OBJECT_INIT, "direct"),))]
        for m in range(methods_per_class - 1):
            api = rng.choice(FILLER_APIS)
            call = InvokeSpec(api, "static" if api.startswith("Landroid/util/Log;") else "virtual")
            methods.append(MethodSpec(f"m{m}", "(I)V", invokes=(call,), strings=(f"s{i}_{m}",)))
        if planted_apis and i % plant_every == 0:
            api = planted_apis[(i // plant_every) % len(planted_apis)]
            methods.append(MethodSpec("sensitive", "()V", invokes=(InvokeSpec(api, "virtual"),)))
            planted.append(PlantedCall(api, dotted, "sensitive()V"))
        per_dex[i % dex_files].append(ClassSpec(dotted, methods=tuple(methods)))
    spec = ApkSpec(
        manifest=ManifestSpec(package=package, version_code=1, version_name="1.0"),
        dex=tuple(DexSpec(tuple(cl)) for cl in per_dex),
    )
    return GeneratedApk(spec, tuple(planted))
