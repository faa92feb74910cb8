"""Chinese word segmentation with jieba: the words an index stores and the words a query asks for.

The segmenter is jieba-rs (through rjieba): jieba's algorithm and its dictionary of about 350,000
words, compiled in, loaded once per process on first use (~0.4 s and ~33 MB in a loaded app, where
Python's jieba took ~1 s and ~72 MB). HMM guessing of unknown words is off on both sides, so an unknown word falls apart
into the same single characters in a document and in a query, and is still found.
"""

MAX_TOKEN = 64
MAX_QUERY_TOKENS = 8


def tokenizer():
    """The process's segmenter: rjieba's module functions, on the instance that importing it loads (a
    Jieba() of our own would hold the dictionary twice: +24 MB). Imported here, on first use, so that a
    process that never segments does not load the dictionary; Python's import lock makes threads that
    arrive together wait for the one load."""
    import rjieba

    return rjieba


def _word(token):
    token = token.strip().lower()
    return token if token and any(ch.isalnum() for ch in token) and len(token) <= MAX_TOKEN else None


def index_tokens(text):
    """The distinct words of ``text`` for the index: every word and, inside long words, the
    dictionary words they contain (jieba's search mode: 集中供暖 → 集中, 供暖, 集中供暖)."""
    if not text:
        return set()
    return {w for w in map(_word, tokenizer().cut_for_search(text, False)) if w}


def query_tokens(text):
    """The words a query asks for (all must match), in order, at most MAX_QUERY_TOKENS."""
    words = []
    for token in tokenizer().cut((text or "")[:200], False):
        word = _word(token)
        if word and word not in words:
            words.append(word)
    return words[:MAX_QUERY_TOKENS]
