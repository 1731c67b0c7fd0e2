"""The branches of a conversation, from its messages as the store returns them.

Messages form a tree through ``parent_id``. Editing a user message adds a sibling user message
(same parent); regenerating an answer adds a sibling assistant message. Nothing is overwritten,
so every earlier branch stays reachable through :meth:`MessageTree.siblings`. The newest branch
is the one shown by default: at each step, the child with the highest id (ids only grow, so
that is the newest).

Plain functions over a list, no SQL: the tree is built once per load, in O(n).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from engine.store import StoredMessage


class MessageTree:
    """A message whose parent is not in the list counts as a root, so a damaged chain still
    shows what is left of it rather than nothing."""

    def __init__(self, messages: Iterable[StoredMessage]) -> None:
        items = list(messages)
        if any(a.id > b.id for a, b in pairwise(items)):
            items.sort(key=lambda m: m.id)  # the store returns id order; anything else is sorted
        self._by_id: dict[int, StoredMessage] = {m.id: m for m in items}
        self._children: dict[int | None, list[StoredMessage]] = {None: []}
        for m in items:
            parent = m.parent_id if m.parent_id in self._by_id else None
            self._children.setdefault(parent, []).append(m)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._by_id

    def message(self, message_id: int) -> StoredMessage:
        """KeyError when the message is not in the tree."""
        return self._by_id[message_id]

    def parent_of(self, message_id: int) -> int | None:
        """The parent as the tree sees it: None for a root (or a message whose parent is gone)."""
        parent = self._by_id[message_id].parent_id
        return parent if parent in self._by_id else None

    def children(self, parent_id: int | None) -> list[StoredMessage]:
        """Direct replies to ``parent_id`` in id order; the roots for None."""
        return list(self._children.get(parent_id, ()))

    def siblings(self, message_id: int) -> list[int]:
        """Ids of every message with the same parent, this one included, in id order.
        KeyError when the message is not in the tree."""
        return [m.id for m in self._children[self.parent_of(message_id)]]

    def path_to(self, leaf_id: int) -> list[StoredMessage]:
        """Root → ``leaf_id``. KeyError when the message is not in the tree."""
        path: list[StoredMessage] = []
        current: int | None = leaf_id
        while current is not None:
            msg = self._by_id[current]
            path.append(msg)
            current = self.parent_of(current)
            if len(path) > len(self._by_id):  # a parent loop only corrupt data could hold
                raise ValueError(f"message {leaf_id} is in a parent loop")
        path.reverse()
        return path

    def latest_leaf(self, from_id: int | None = None) -> int | None:
        """Follows the newest child at each step, from ``from_id`` (from the roots when None),
        down to a message with no reply. None only for an empty tree."""
        if from_id is not None and from_id not in self._by_id:
            raise KeyError(from_id)
        current = from_id
        for _ in range(len(self._by_id) + 1):
            kids = self._children.get(current)
            if not kids:
                return current
            current = kids[-1].id
        raise ValueError(f"message {from_id} is in a parent loop")

    def default_path(self) -> list[StoredMessage]:
        """The newest branch, root → leaf; empty for an empty tree."""
        leaf = self.latest_leaf()
        return self.path_to(leaf) if leaf is not None else []
