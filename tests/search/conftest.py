"""Items made through the item services (each call in its own app context, so that signed-in test
clients keep their own request contexts)."""

import pytest

from portal.auth.models import User
from portal.kernel.db import database
from tests.items import conftest as items
from tests.kb.conftest import pdf_of


class Items:
    """register()/act() as in tests/items, by username, each in a short app context of its own."""

    def __init__(self, app):
        self.app = app

    def _user(self, username):
        return User.get(User.username == username)

    def register(self, username="supervisor", **fields):
        with self.app.app_context(), database.connection_context():
            return items.register(self._user(username), **fields)

    def act(self, username, item, action, **data):
        with self.app.app_context(), database.connection_context():
            return items.act(self._user(username), item, action, **data)


@pytest.fixture
def work(app, demo, tmp_path):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    return Items(app)


def cjk_pdf_bytes(text):
    """A one-page PDF whose text layer says ``text`` in any characters (Chinese too): a CID font, its codes
    mapped to the characters by a ToUnicode CMap, with a correct xref table."""
    chars = list(dict.fromkeys(text))
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    stream = ("BT /F1 12 Tf 72 720 Td <%s> Tj ET" % "".join("%04X" % cid[ch] for ch in text)).encode()
    pairs = "\n".join("<%04X> <%04X>" % (cid[ch], ord(ch)) for ch in chars)
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            f"{len(chars)} beginbfchar\n{pairs}\nendbfchar\nendcmap\n"
            "CMapName currentdict /CMap defineresource pop\nend\nend").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    return pdf_of(objects)
