"""The engine's errors said in the window's language.

The worker writes its errors in English, for its log and the command line, and tags each with a
stable ``kind`` (:class:`engine.protocol.Error`). Here each kind a user can meet becomes a
sentence saying what happened and what to do about it. The engine's own words are kept beside
the sentence: they name the file, the library and the exact failure, which is what a search or
a bug report needs. A kind not listed here shows the engine's message as it is.

Out of memory has no kind of its own: llama.cpp and MLX report it in their own words inside a
failed load or a failed answer, so those words are looked for in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QLocale

# How llama.cpp (CPU, CUDA, Vulkan, Metal), MLX and Python say that memory ran out.
_OUT_OF_MEMORY = re.compile(
    r"out ?of ?(device ?)?memory|(failed|unable|cannot|could not) (to )?allocate"
    r"|allocation (of size \d+ )?failed|memoryerror|bad_alloc|insufficient memory"
    r"|not enough memory",
    re.IGNORECASE,
)


def means_out_of_memory(message: str) -> bool:
    return _OUT_OF_MEMORY.search(message) is not None


@dataclass(frozen=True)
class ErrorText:
    """``sentence`` is in the window's language and starts in lower case (it follows "error:"
    or "The model could not be loaded:"); ``detail`` is the engine's English message, or ""
    where the sentence already says everything it does."""

    sentence: str
    detail: str = ""

    def inline(self) -> str:
        """On one line, for an answer's footer."""
        return f"{self.sentence} — {self.detail}" if self.detail else self.sentence

    def block(self) -> str:
        """The sentence as a sentence, the engine's words on a line of their own (a banner)."""
        text = self.sentence[:1].upper() + self.sentence[1:]
        return f"{text}\n{self.detail}" if self.detail else text


# The sentences are the window's (context "MainWindow"): it shows them, in its banner and in an
# answer's footer.
def describe_error(kind: str, message: str, *, loading: bool = False, n_ctx: int = 0) -> ErrorText:
    """What an engine error of ``kind`` means. ``loading``: it ended the loading of a model (the
    same kind means something else there); ``n_ctx``: the loaded model's context length."""
    if kind == "context_full":
        return ErrorText(
            QCoreApplication.translate(
                "MainWindow",
                "the conversation no longer fits the model's context of %1 tokens: start a new "
                "chat, or raise the context length in Settings",
            ).replace("%1", QLocale().toString(n_ctx))
        )
    if kind in ("load_failed", "backend", "internal") and means_out_of_memory(message):
        sentence = QCoreApplication.translate(
            "MainWindow",
            "there is not enough memory for this model: a shorter context length (Settings) or "
            "a smaller model needs less",
        )
    elif kind == "bad_model":
        sentence = QCoreApplication.translate(
            "MainWindow", "this file is not a model Lanterna can run, or it is damaged"
        )
    elif kind == "load_failed":
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the engine could not load this model: the file may be damaged or incomplete, or "
            "this version of Lanterna does not support its architecture",
        )
    elif kind == "backend" and loading:
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the engine that runs this kind of model is missing from this installation",
        )
    elif kind == "backend":
        sentence = QCoreApplication.translate("MainWindow", "the engine failed while answering")
    elif kind == "bad_request" and loading:
        sentence = QCoreApplication.translate(
            "MainWindow", "the engine cannot use these settings: check the GPU choice in Settings"
        )
    elif kind == "bad_request":
        sentence = QCoreApplication.translate(
            "MainWindow", "this conversation could not be prepared for the model"
        )
    elif kind == "no_model":
        return ErrorText(
            QCoreApplication.translate(
                "MainWindow", "no model is loaded: choose one at the top of the window"
            )
        )
    elif kind == "moderation":
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the reasoning filter's word lists could not be read: turn off Word lists in "
            "Settings, or reinstall Lanterna",
        )
    elif kind == "cancelled":
        return ErrorText(QCoreApplication.translate("MainWindow", "loading was cancelled"))
    elif kind == "internal":
        sentence = QCoreApplication.translate(
            "MainWindow", "something went wrong inside the engine"
        )
    elif kind == "protocol":
        sentence = QCoreApplication.translate(
            "MainWindow", "the engine did not understand a request from the window"
        )
    else:
        return ErrorText(message)
    return ErrorText(sentence, message)


def describe_exit(signal: str | None, exit_code: int | None) -> str:
    """Why the worker process ended, in the window's language (it follows "The engine stopped:").
    The signal's name stays in the sentence: it is what a bug report needs."""
    if exit_code is None:
        return QCoreApplication.translate("MainWindow", "it stopped responding")
    if signal == "SIGKILL":
        return QCoreApplication.translate(
            "MainWindow", "it was killed (SIGKILL); the system may have run out of memory"
        )
    if signal in ("SIGSEGV", "SIGBUS"):
        return QCoreApplication.translate("MainWindow", "it crashed in native code (%1)").replace(
            "%1", signal
        )
    if signal == "SIGILL":
        return QCoreApplication.translate(
            "MainWindow",
            "it crashed: this processor lacks an instruction the engine was built for (SIGILL)",
        )
    if signal == "SIGABRT":
        return QCoreApplication.translate("MainWindow", "it aborted (SIGABRT)")
    if signal is not None:
        return QCoreApplication.translate("MainWindow", "it was stopped by %1").replace(
            "%1", signal
        )
    if exit_code & 0xC0000000 == 0xC0000000 and exit_code > 0:
        # A Windows exception code, such as 0xC0000005 (access violation).
        return QCoreApplication.translate("MainWindow", "it crashed (exception 0x%1)").replace(
            "%1", f"{exit_code:08X}"
        )
    return QCoreApplication.translate("MainWindow", "it exited with code %1").replace(
        "%1", str(exit_code)
    )


def describe_demo_failure(kind: str, message: str) -> ErrorText:
    """Why the bundled demo model could not be prepared (``engine.models.demo.DemoModelError``)."""
    if kind == "missing":
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the demo model is not part of this installation: choose or download a model in Models",
        )
    elif kind == "damaged":
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the demo model in this installation is damaged: reinstall Lanterna, or choose "
            "another model in Models",
        )
    elif kind == "unwritable":
        sentence = QCoreApplication.translate(
            "MainWindow",
            "the demo model could not be written to the models folder: free some disk space, "
            "or choose another folder in Settings",
        )
    else:
        return ErrorText(message)
    return ErrorText(sentence, message)
