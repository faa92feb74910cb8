"""The article renderer against XSS filter-evasion vectors (OWASP cheat sheet) and Markdown-specific ones.

Each output is parsed as a browser would: no script or other active element survives, no event
handler, no URL with a scheme other than http/https/mailto, no image from outside the portal.
"""

import re
from html.parser import HTMLParser

import pytest

from portal.kb.render import render_markdown, sanitize

OWASP = [
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"java&#x0D;script:alert(1)\">x</a>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<a href=\"https://example.com\" target=\"_blank\" onclick=\"alert(1)\">x</a>",
    "<img src=\"https://tracker.example.com/pixel.gif\">",
    "<img src=\"//tracker.example.com/pixel.gif\">",
]

MARKDOWN = [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    "[a][ref]\n\n[ref]: <javascript:alert(1)> \"title\"",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example.com/p.gif)",
    "![x](//tracker.example.com/p.gif)",
    "![x][img]\n\n[img]: http://tracker.example.com/p.gif",
    "![x\" onerror=\"alert(1)](/kb/1.png)",
    "[x](/kb \"a\\\" onmouseover=\\\"alert(1)\")",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">raw link</a>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "<https://example.com/\" onmouseover=\"alert(1)>",
    "<javascript:alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
]

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "button",
                   "link", "meta", "body", "base", "noscript", "textarea"):
            self.problems.append(f"element {tag}")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on") or name in ("style", "background", "dynsrc", "action", "formaction"):
                self.problems.append(f"attribute {name}")
            if name in ("href", "src"):
                lowered = "".join(value.split()).lower()
                if ":" in lowered.split("/")[0] and not lowered.startswith(ALLOWED_SCHEMES):
                    self.problems.append(f"{name}={value}")
            if tag == "img" and name == "src" and not (value.startswith("/") and not value.startswith("//")):
                self.problems.append(f"remote image {value}")


def problems(html):
    inspector = Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("vector", OWASP)
def test_html_vectors_are_neutralised(vector):
    assert problems(sanitize(vector)) == [], sanitize(vector)
    assert problems(render_markdown(vector)) == [], render_markdown(vector)


@pytest.mark.parametrize("vector", MARKDOWN)
def test_markdown_vectors_are_neutralised(vector):
    html = render_markdown(vector)
    assert problems(html) == [], html


def test_what_a_writer_needs_survives():
    html = render_markdown(images={"/kb/1/attachments/2"}, source="# 标题\n\n**粗** *斜* ~~删~~ [链接](https://intranet.example/a) [邮件](mailto:a@b.c)\n\n"
                           "![图](/kb/1/attachments/2)\n\n| 甲 | 乙 |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```")
    for piece in ("<h1>标题</h1>", "<strong>粗</strong>", "<em>斜</em>", "<s>删</s>",
                  '<a href="https://intranet.example/a" rel="noopener noreferrer nofollow">链接</a>',
                  '<img src="/kb/1/attachments/2" alt="图">', "<td>1</td>", '<code class="language-python">'):
        assert piece in html, (piece, html)


def test_images_only_from_the_articles_own_attachments():
    """Issue 21: any other portal URL as an image would be fetched with the reader's session."""
    own = {"/kb/1/attachments/2"}
    for source in ("![](/kb/77)", "![](/feed)", "![](/kb/2/attachments/2)", "![](/kb/1/attachments/2/../3)",
                   "![](/kb/1/attachments/2?x=1)", "<img src=/kb/1/attachments/2>"):
        assert not re.search(r"<img[^>]*src=", render_markdown(source, own)), source
    assert '<img src="/kb/1/attachments/2"' in render_markdown("![](/kb/1/attachments/2)", own)
    assert not re.search(r"<img[^>]*src=", render_markdown("![](/kb/1/attachments/2)"))


def test_a_rendered_article_keeps_its_own_image_and_drops_others(sign_in, demo):
    from tests.kb.conftest import PNG, upload, write_article

    supervisor = sign_in("supervisor")
    other = write_article(supervisor, title="另一篇")
    article = write_article(supervisor, body="x")
    image = upload(supervisor, article["id"], "图.png", PNG).get_json()
    body = f"![图]({image['url']}) ![](/kb/{other['id']}) ![](/feed)"
    assert supervisor.patch(f"/api/v1/kb/articles/{article['id']}", json={"body": body}).status_code == 200
    html = supervisor.get(f"/api/v1/kb/articles/{article['id']}").get_json()["html"]
    assert html.count("<img") == 3 and html.count("src=") == 1 and f'src="{image["url"]}"' in html
    shown = supervisor.get(image["url"])
    assert shown.status_code == 200 and shown.mimetype == "image/png" and shown.data == PNG
    assert "attachment" not in shown.headers.get("Content-Disposition", "")
