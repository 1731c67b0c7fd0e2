"""Moderation of reasoning text: lexical screen, PII redaction, optional guard model."""
