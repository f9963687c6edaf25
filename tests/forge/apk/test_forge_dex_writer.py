"""The DEX writer produces files that dexdump, androguard and our reader all accept, with exact content."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from forge.apk.forge_fixtures import GET_APPS, WIDE_STATIC, sample_dex
from ganzhi.collect.apk.dex import DexFile
from ganzhi.forge.apk.dex_writer import write_dex
from ganzhi.forge.apk.spec import ClassSpec, DexSpec, InvokeSpec, MethodSpec, parse_proto, split_type_list


def test_header_checksum_and_signature_are_correct() -> None:
    import hashlib

    data = write_dex(sample_dex()[0])
    assert data[:8] == b"dex\n035\x00"
    assert int.from_bytes(data[8:12], "little") == zlib.adler32(data[12:])
    assert data[12:32] == hashlib.sha1(data[32:]).digest()
    assert int.from_bytes(data[32:36], "little") == len(data)


def test_reader_sees_the_forged_classes_and_hierarchy() -> None:
    dex = DexFile(write_dex(sample_dex()[0]))
    classes = {c.descriptor: c for c in dex.classes()}
    assert set(classes) == {
        "Lcom/example/app/App;",
        "Lcom/example/app/Main;",
        "Lcom/example/app/Util;",
        "Lcom/example/app/Sub;",
    }
    assert classes["Lcom/example/app/Main;"].superclass == "Landroid/app/Activity;"
    assert classes["Lcom/example/app/Main;"].interfaces == ("Ljava/lang/Runnable;",)
    assert classes["Lcom/example/app/Sub;"].superclass == "Lcom/example/app/Main;"
    order = dex.class_descriptors()
    assert order.index("Lcom/example/app/Main;") < order.index("Lcom/example/app/Sub;")
    sigs = {dex.method_signature(i) for i in range(dex.header.method_ids.size)}
    assert GET_APPS in sigs
    assert WIDE_STATIC in sigs


def test_invalid_specs_are_rejected_with_the_culprit_named() -> None:
    with pytest.raises(ValueError, match="defined twice"):
        write_dex(DexSpec((ClassSpec("a.B"), ClassSpec("a.B"))))
    with pytest.raises(ValueError, match="inheritance cycle"):
        write_dex(DexSpec((ClassSpec("a.B", superclass="a.C"), ClassSpec("a.C", superclass="a.B"))))
    with pytest.raises(ValueError, match="not of the form"):
        write_dex(DexSpec((ClassSpec("a.B", methods=(MethodSpec("m", invokes=(InvokeSpec("La/C;->x"),)),)),)))
    with pytest.raises(ValueError, match="proto"):
        parse_proto("(V)V")
    with pytest.raises(ValueError, match="type list"):
        split_type_list("Ljava/lang/String")


def test_many_arguments_use_the_range_form() -> None:
    spec = DexSpec((ClassSpec("a.B", methods=(MethodSpec("m", invokes=(InvokeSpec(WIDE_STATIC, "static"),)),)),))
    data = write_dex(spec)
    dex = DexFile(data)
    assert any(dex.string(i) == "wide" for i in range(dex.header.string_ids.size))
    assert b"\x77\x06" in data  # invoke-static/range with 6 argument words


@pytest.mark.skipif(shutil.which("dexdump") is None, reason="Debian dexdump not installed (apt-get install dexdump)")
def test_dexdump_verifies_and_disassembles(tmp_path: Path) -> None:
    path = tmp_path / "classes.dex"
    path.write_bytes(write_dex(sample_dex()[0]))
    check = subprocess.run(["dexdump", "-c", str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode == 0
    assert "Checksum verified" in check.stdout
    dump = subprocess.run(["dexdump", "-d", str(path)], capture_output=True, text=True, timeout=60, check=True)
    assert "invoke-virtual {v0, v1}, Landroid/content/pm/PackageManager;.getInstalledApplications" in dump.stdout
    assert "invoke-static/range {v0, v1, v2, v3, v4, v5}, Lcom/example/app/Util;.wide:(JJJ)J" in dump.stdout
    assert "Superclass        : 'Lcom/example/app/Main;'" in dump.stdout


def test_androguard_reads_the_forged_dex() -> None:
    dex_mod = pytest.importorskip("androguard.core.dex", reason="androguard (dev oracle) not installed")
    data = write_dex(sample_dex()[0])
    dex = dex_mod.DEX(data)
    assert sorted(c.get_name() for c in dex.get_classes()) == sorted(DexFile(data).class_descriptors())
    assert "com.tencent.mm" in set(dex.get_strings())
