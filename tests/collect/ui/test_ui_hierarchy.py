from __future__ import annotations

import json

import pytest

from ganzhi.collect.ui.hierarchy import HierarchyError, parse_gkd, parse_hierarchy, parse_uiautomator, sniff_format
from ganzhi.forge.ui.bundles import Screen, View, uiautomator_xml


def _screen() -> Screen:
    return Screen(
        [
            View(
                bounds=(0, 0, 1080, 2400),
                resource_id="com.x:id/root",
                children=[
                    View(
                        bounds=(900, 100, 1040, 200),
                        cls="android.widget.TextView",
                        text="跳过 3",
                        clickable=True,
                        resource_id="com.x:id/tt_splash_skip_btn",
                    ),
                    View(bounds=(10, 10, 60, 60), cls="android.widget.ImageView", clickable=True),
                ],
            )
        ]
    )


def test_uiautomator_nodes_in_pre_order_with_parents() -> None:
    tree = parse_uiautomator(uiautomator_xml(_screen(), "com.x"))
    assert [n.depth for n in tree.nodes] == [0, 1, 1]
    skip = tree.nodes[1]
    assert skip.parent == 0 and skip.text == "跳过 3" and skip.vid == "tt_splash_skip_btn"
    assert skip.bounds == (900, 100, 1040, 200) and skip.clickable
    assert tree.nodes[2].naf, "a clickable node without text or desc carries NAF"
    assert tree.package == "com.x"
    assert tree.clickable_target(1).index == 1


def test_uiautomator_rejects_bad_input() -> None:
    with pytest.raises(HierarchyError, match="not a readable uiautomator XML"):
        parse_uiautomator(b"<hierarchy><node")
    with pytest.raises(HierarchyError, match="root element"):
        parse_uiautomator(b"<html/>")
    with pytest.raises(HierarchyError, match=r"bounds must look like \[l,t\]\[r,b\]"):
        parse_uiautomator(b'<hierarchy><node class="a" bounds="0,0,1,1"/></hierarchy>')
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><hierarchy>&a;</hierarchy>'
    with pytest.raises(HierarchyError):
        parse_uiautomator(bomb)
    with pytest.raises(HierarchyError, match="holds no <node>"):
        parse_uiautomator(b"<hierarchy/>")


def _gkd(nodes: list[dict[str, object]]) -> bytes:
    doc = {
        "id": 1,
        "appId": "com.x",
        "activityId": "com.x.SplashActivity",
        "screenWidth": 1080,
        "screenHeight": 2400,
        "nodes": nodes,
    }
    return json.dumps(doc).encode()


def test_gkd_snapshot_new_and_old_attribute_names() -> None:
    root = {"id": 0, "pid": -1, "attr": {"name": "FrameLayout", "left": 0, "top": 0, "right": 1080, "bottom": 2400}}
    new = {
        "id": 1,
        "pid": 0,
        "attr": {
            "vid": "btn_skip",
            "id": "com.x:id/btn_skip",
            "text": "跳过",
            "clickable": True,
            "visibleToUser": True,
            "left": 900,
            "top": 90,
            "right": 1040,
            "bottom": 190,
        },
    }
    old = {
        "id": 2,
        "pid": 0,
        "attr": {
            "className": "ImageView",
            "contentDescription": "关闭",
            "isClickable": True,
            "left": 1,
            "top": 2,
            "right": 3,
            "bottom": 4,
            "visibleToUser": False,
        },
    }
    tree = parse_gkd(_gkd([root, new, old]))
    assert tree.screen == (1080, 2400) and tree.activity == "com.x.SplashActivity"
    assert tree.nodes[1].vid == "btn_skip" and tree.nodes[1].clickable and tree.nodes[1].parent == 0
    assert tree.nodes[2].desc == "关闭" and tree.nodes[2].clickable and not tree.nodes[2].visible


def test_gkd_errors_name_the_node() -> None:
    with pytest.raises(HierarchyError, match=r"nodes\[0\]: pid 7 names no earlier node"):
        parse_gkd(_gkd([{"id": 0, "pid": 7, "attr": {"left": 0, "top": 0, "right": 1, "bottom": 1}}]))
    with pytest.raises(HierarchyError, match=r"attr.left must be an integer"):
        parse_gkd(_gkd([{"id": 0, "pid": -1, "attr": {"left": "0", "top": 0, "right": 1, "bottom": 1}}]))
    with pytest.raises(HierarchyError, match="not a readable GKD snapshot"):
        parse_gkd(b"{nope")


def test_sniff_and_dispatch() -> None:
    xml = uiautomator_xml(_screen(), "com.x")
    assert sniff_format(xml) == "uiautomator" and sniff_format(b' {"nodes": []}') == "gkd"
    assert len(parse_hierarchy(xml, "uiautomator").nodes) == 3
    with pytest.raises(HierarchyError, match="format must be"):
        parse_hierarchy(xml, "html")
