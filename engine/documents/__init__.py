"""Documents dropped onto a chat: extraction, chunking, the search index, retrieval.

Nothing here imports Qt: the window, the worker and ``lanterna-engine docs`` share it.
"""
