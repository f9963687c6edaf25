"""The inverse lookups of `Ownership` agree with the forward ones (`operator_of_key`, `stores_of_key`)."""

from __future__ import annotations

from sv_factory import enterprise

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.supervision.ownership import Ownership


def test_inverse_lookups_match_the_forward_ones() -> None:
    ents = [
        enterprise("video-co", 1, EnterpriseType.INTERNET_COMPANY, "com.a", "com.b"),
        enterprise("shop-co", 2, EnterpriseType.INTERNET_COMPANY, "com.c"),
        enterprise("store-a", 3, EnterpriseType.APP_STORE, stores=("com.a", "com.c")),
    ]
    owned = Ownership.build(ents)
    keys = ["app:com.a", "app:com.b", "app:com.c", "app:com.z"]
    for ent in ents:
        assert owned.keys_operated_by(ent.id) == {k for k in keys if owned.operator_of_key(k) == ent.id}
        assert owned.keys_distributed_by(ent.id) == {k for k in keys if ent.id in owned.stores_of_key(k)}
        assert owned.names_of(ent.id) == {ent.id, ent.uscc, ent.name}
    assert owned.keys_operated_by("video-co") == {"app:com.a", "app:com.b"}
    assert owned.keys_distributed_by("store-a") == {"app:com.a", "app:com.c"}
    assert owned.keys_operated_by("nobody") == frozenset() and owned.names_of("nobody") == frozenset()
