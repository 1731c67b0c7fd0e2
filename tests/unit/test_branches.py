"""Branches: an edit or a regeneration adds a sibling, the newest branch is shown, and every
earlier one stays reachable."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.branches import MessageTree
from engine.store import Store, StoredMessage


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def _msg(mid: int, parent: int | None, role: str = "user") -> StoredMessage:
    return StoredMessage(mid, 1, parent, role, f"m{mid}", {}, {}, False, float(mid))


def _ids(msgs: list[StoredMessage]) -> list[int]:
    return [m.id for m in msgs]


def test_edit_and_regenerate_add_siblings_and_keep_old_branches(store: Store) -> None:
    conv = store.create_conversation("Branches")
    u1 = store.add_message(conv, "user", "Qual é a capital?")
    a1 = store.add_message(conv, "assistant", "Brasília.", parent_id=u1)
    u2 = store.add_message(conv, "user", "E a da Espanha?", parent_id=a1)
    a2 = store.add_message(conv, "assistant", "Madrid.", parent_id=u2)
    # The user edits their second question: a sibling of u2, with its own answer.
    u2_edit = store.add_message(conv, "user", "E a de Portugal?", parent_id=a1)
    a2_edit = store.add_message(conv, "assistant", "Lisboa.", parent_id=u2_edit)
    # Then regenerates that answer.
    a2_regen = store.add_message(conv, "assistant", "Lisboa, claro.", parent_id=u2_edit)

    tree = MessageTree(store.messages(conv))
    assert len(tree) == 7
    assert _ids(tree.default_path()) == [u1, a1, u2_edit, a2_regen]
    assert tree.siblings(u2_edit) == [u2, u2_edit]
    assert tree.siblings(u2) == [u2, u2_edit]
    assert tree.siblings(a2_regen) == [a2_edit, a2_regen]
    assert tree.siblings(a1) == [a1]
    assert tree.siblings(u1) == [u1]
    # The earlier branches are still there, whole.
    assert _ids(tree.path_to(a2)) == [u1, a1, u2, a2]
    assert _ids(tree.path_to(a2_edit)) == [u1, a1, u2_edit, a2_edit]
    assert [m.content for m in tree.path_to(a2)] == [
        "Qual é a capital?",
        "Brasília.",
        "E a da Espanha?",
        "Madrid.",
    ]
    # Switching to a sibling shows the newest branch below it.
    assert tree.latest_leaf(u2) == a2
    assert tree.latest_leaf(u2_edit) == a2_regen
    assert tree.latest_leaf(a2) == a2
    assert tree.latest_leaf() == a2_regen
    assert _ids(tree.children(a1)) == [u2, u2_edit]
    assert _ids(tree.children(None)) == [u1]
    assert tree.children(a2) == []


def test_editing_the_first_message_adds_a_second_root(store: Store) -> None:
    conv = store.create_conversation("Roots")
    u1 = store.add_message(conv, "user", "Hola")
    a1 = store.add_message(conv, "assistant", "¡Hola!", parent_id=u1)
    u1_edit = store.add_message(conv, "user", "Buenos días")
    tree = MessageTree(store.messages(conv))
    assert tree.siblings(u1) == [u1, u1_edit]
    assert _ids(tree.children(None)) == [u1, u1_edit]
    assert _ids(tree.default_path()) == [u1_edit]
    assert tree.latest_leaf(u1) == a1


def test_deleting_a_branch_leaves_the_others(store: Store) -> None:
    conv = store.create_conversation("Delete")
    u1 = store.add_message(conv, "user", "q")
    a1 = store.add_message(conv, "assistant", "a", parent_id=u1)
    u2 = store.add_message(conv, "user", "follow", parent_id=a1)
    a1b = store.add_message(conv, "assistant", "b", parent_id=u1)
    store.delete_message(a1b)
    tree = MessageTree(store.messages(conv))
    assert tree.siblings(a1) == [a1]
    assert _ids(tree.default_path()) == [u1, a1, u2]


def test_empty_tree() -> None:
    tree = MessageTree([])
    assert len(tree) == 0
    assert tree.latest_leaf() is None
    assert tree.default_path() == []
    assert tree.children(None) == []
    with pytest.raises(KeyError):
        tree.path_to(1)
    with pytest.raises(KeyError):
        tree.siblings(1)
    with pytest.raises(KeyError):
        tree.latest_leaf(1)


def test_order_of_the_input_does_not_matter() -> None:
    msgs = [_msg(1, None), _msg(2, 1), _msg(3, 2), _msg(4, 1), _msg(5, 4), _msg(6, None)]
    shuffled = msgs[:]
    random.Random(3).shuffle(shuffled)
    a, b = MessageTree(msgs), MessageTree(shuffled)
    for tree in (a, b):
        assert _ids(tree.children(1)) == [2, 4]
        assert _ids(tree.children(None)) == [1, 6]
        assert tree.siblings(4) == [2, 4]
        assert _ids(tree.path_to(5)) == [1, 4, 5]
        assert tree.latest_leaf(1) == 5
        assert _ids(tree.default_path()) == [6]


def test_a_message_whose_parent_is_missing_counts_as_a_root() -> None:
    tree = MessageTree([_msg(1, None), _msg(3, 2), _msg(4, 3)])
    assert _ids(tree.children(None)) == [1, 3]
    assert tree.siblings(3) == [1, 3]
    assert _ids(tree.path_to(4)) == [3, 4]
    assert tree.parent_of(3) is None and tree.parent_of(4) == 3
    assert 4 in tree and 2 not in tree


def test_a_parent_loop_is_reported_not_followed_forever() -> None:
    tree = MessageTree([_msg(1, None), _msg(2, 3), _msg(3, 2)])
    assert _ids(tree.default_path()) == [1]
    with pytest.raises(ValueError, match="loop"):
        tree.path_to(2)
    with pytest.raises(ValueError, match="loop"):
        tree.latest_leaf(2)


def test_long_threads_build_and_walk_without_recursion() -> None:
    n = 20_000
    msgs = [_msg(1, None)] + [_msg(i, i - 1, "assistant" if i % 2 else "user") for i in range(2, n)]
    # A regeneration halfway down: the default path follows it and ends there.
    msgs.append(_msg(n, n // 2 - 1, "assistant"))
    tree = MessageTree(msgs)
    path = tree.default_path()
    assert len(path) == n // 2 and path[-1].id == n and path[0].id == 1
    assert tree.siblings(n) == [n // 2, n]
    assert len(tree.path_to(n - 1)) == n - 1
    assert tree.latest_leaf(n // 2) == n - 1
