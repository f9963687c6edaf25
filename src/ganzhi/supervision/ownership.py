"""Which enterprise a subject (and so a finding) belongs to.

Enterprises list their subjects as links (`app:com.example.video`, `hotline:10086`...). A finding's
subject key may carry a version (`app:com.example.video@8.1.0`), which is ignored when matching.
Evidence may also name the enterprise directly (`Subject.enterprise`: its id, USCC or name); links
win over that name because the regulator maintains them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ganzhi.evidence.base import Subject
from ganzhi.supervision.models import Enterprise, SubjectRole


def unversioned(subject_key: str) -> str:
    """`type:id` from `type:id@version` (keys without a version are returned as they are)."""
    return subject_key.split("@", 1)[0]


@dataclass(frozen=True, slots=True)
class Ownership:
    """Lookup tables from subject keys and enterprise names to enterprise ids."""

    operators: dict[str, str] = field(default_factory=dict)
    distributors: dict[str, frozenset[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, enterprises: Iterable[Enterprise]) -> Ownership:
        """Index the enterprises' subject links; a subject operated by two enterprises is an error."""
        operators: dict[str, str] = {}
        distributors: dict[str, set[str]] = {}
        aliases: dict[str, str] = {}
        for enterprise in enterprises:
            for alias in (enterprise.id, enterprise.uscc, enterprise.name):
                aliases.setdefault(alias, enterprise.id)
            for link in enterprise.subjects:
                if link.role is SubjectRole.DISTRIBUTES:
                    distributors.setdefault(link.key, set()).add(enterprise.id)
                    continue
                owner = operators.setdefault(link.key, enterprise.id)
                if owner != enterprise.id:
                    raise ValueError(f"subject {link.key!r} is operated by both {owner!r} and {enterprise.id!r}")
        return cls(
            operators=operators,
            distributors={key: frozenset(ids) for key, ids in distributors.items()},
            aliases=aliases,
        )

    def operator_of_key(self, subject_key: str, named: str | None = None) -> str | None:
        """The enterprise operating the subject with this key, else the one evidence named, else None."""
        owner = self.operators.get(unversioned(subject_key))
        if owner is not None:
            return owner
        return self.aliases.get(named) if named else None

    def operator_of(self, subject: Subject) -> str | None:
        """The enterprise operating `subject`."""
        return self.operator_of_key(subject.key, subject.enterprise)

    def keys_operated_by(self, enterprise_id: str) -> frozenset[str]:
        """The (unversioned) subject keys linked to `enterprise_id` as their operator: `operator_of` inverted."""
        return frozenset(key for key, owner in self.operators.items() if owner == enterprise_id)

    def names_of(self, enterprise_id: str) -> frozenset[str]:
        """The id, USCC and name by which evidence may name `enterprise_id` (`Subject.enterprise`)."""
        return frozenset(name for name, owner in self.aliases.items() if owner == enterprise_id and name)

    def keys_distributed_by(self, store_id: str) -> frozenset[str]:
        """The (unversioned) subject keys for which `stores_of_key` names `store_id`."""
        return frozenset(key for key, ids in self.distributors.items() if store_id in ids)

    def stores_of_key(self, subject_key: str) -> frozenset[str]:
        """The app stores that distribute the subject with this key."""
        return self.distributors.get(unversioned(subject_key), frozenset())
