"""Conversation data shaped for the window, prepared off the GUI thread.

``load_thread`` reads a conversation and picks the branch to show; ``views_for`` turns a branch
into what the chat view draws. Both are plain Python: the I/O thread runs them and hands the
result to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.message_view import MessageView
from engine.branches import MessageTree
from engine.store import Conversation, Store, StoredMessage

TITLE_CHARS = 48


@dataclass(frozen=True)
class Thread:
    conversation: Conversation
    tree: MessageTree
    path: list[StoredMessage]
    # What the chat view draws of ``path``, computed with the thread (on the I/O thread when
    # the thread comes from the store: thousands of messages take milliseconds).
    shown: list[MessageView] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", views_for(self.tree, self.path))

    @property
    def leaf(self) -> int | None:
        return self.path[-1].id if self.path else None


def load_thread(store: Store, conversation_id: int, leaf: int | None = None) -> Thread | None:
    """The conversation with the branch ending at ``leaf`` (by default the one last shown, or
    the newest); None when the conversation is gone."""
    conv = store.conversation(conversation_id)
    if conv is None:
        return None
    tree = MessageTree(store.messages(conversation_id))
    if leaf is None:
        saved = conv.settings.get("leaf")
        leaf = saved if isinstance(saved, int) else None
    try:
        path = tree.path_to(leaf) if leaf is not None else tree.default_path()
    except KeyError:
        path = tree.default_path()  # the remembered message was deleted
    return Thread(conv, tree, path)


def views_for(tree: MessageTree, path: list[StoredMessage]) -> list[MessageView]:
    out = []
    for msg in path:
        if msg.role not in ("user", "assistant"):
            continue
        siblings = tree.siblings(msg.id)
        out.append(
            MessageView(
                id=msg.id,
                role=msg.role,
                content=msg.content,
                reasoning=msg.reasoning,
                meta=msg.meta,
                incomplete=msg.incomplete,
                sibling_index=siblings.index(msg.id),
                sibling_count=len(siblings),
            )
        )
    return out


def title_for(text: str) -> str:
    """A conversation's first title: the start of its first message, on one line."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"
