"""Chinese word segmentation with jieba: the words an index stores and the words a query asks for.

The dictionary (about 350,000 words) is loaded once per process, on first use
(~1 s with jieba's cache file in ``instance/cache/``, several seconds to build
that cache the first time). HMM guessing of unknown words is off on both
sides, so an unknown word falls apart into the same single characters in a
document and in a query, and is still found.
"""

import logging
import os
import threading

MAX_TOKEN = 64
MAX_QUERY_TOKENS = 8

_tokenizer = None
_lock = threading.Lock()


def tokenizer():
    """The process's jieba tokenizer, loaded on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.tmp_dir = _cache_folder()
                instance.initialize()
                _tokenizer = instance
    return _tokenizer


def _cache_folder():
    """Where jieba keeps its dictionary cache: the app's instance folder (not a world-writable temp folder,
    where another local user could plant a cache file), else the system temp folder outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    folder = os.path.join(current_app.instance_path, "cache")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    return folder


def _word(token):
    token = token.strip().lower()
    return token if token and any(ch.isalnum() for ch in token) and len(token) <= MAX_TOKEN else None


def index_tokens(text):
    """The distinct words of ``text`` for the index: every word and, inside long words, the
    dictionary words they contain (jieba's search mode: 集中供暖 → 集中, 供暖, 集中供暖)."""
    if not text:
        return set()
    return {w for w in map(_word, tokenizer().cut_for_search(text, HMM=False)) if w}


def query_tokens(text):
    """The words a query asks for (all must match), in order, at most MAX_QUERY_TOKENS."""
    words = []
    for token in tokenizer().cut((text or "")[:200], HMM=False):
        word = _word(token)
        if word and word not in words:
            words.append(word)
    return words[:MAX_QUERY_TOKENS]
