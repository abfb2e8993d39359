use super::{css, js};
use crate::render::theme::DEFAULT_STATIC;

fn css_str(s: &str) -> String {
    String::from_utf8(css(s.as_bytes())).expect("compacted CSS is UTF-8")
}

fn js_str(s: &str) -> String {
    String::from_utf8(js(s.as_bytes())).expect("compacted JS is UTF-8")
}

fn built_in(path: &str) -> &'static [u8] {
    DEFAULT_STATIC
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, b)| *b)
        .expect("a built-in static file")
}

/// The bytes that are neither whitespace nor in a `/* */` comment, with `;}` read
/// as `}`: what a compactor that only drops whitespace and comments keeps.
/// (Naive: the built-in files have no `/*` or whitespace-only strings to trip it.)
fn visible(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    let mut rest = &*text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    let kept: String = out
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .flat_map(str::chars)
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    kept.replace(";}", "}").into_bytes()
}

#[test]
fn css_drops_comments_and_whitespace_around_delimiters() {
    assert_eq!(
        css_str("/* head */\na  ,\n  b {\n  color : red ;\n  margin: 0 auto;\n}\n\n"),
        "a,b{color :red;margin:0 auto}"
    );
    assert_eq!(css_str("a { }  b{x:y;}"), "a{}b{x:y}");
}

#[test]
fn css_combinators_lose_spaces_only_in_selectors() {
    assert_eq!(
        css_str(".a > .b + .c ~ .d .e { x: y }"),
        ".a>.b+.c~.d .e{x:y}"
    );
    // Descendant combinators before a pseudo-class or after a function stay.
    assert_eq!(
        css_str(".x :focus, a:not(.b) .c { x: y }"),
        ".x :focus,a:not(.b) .c{x:y}"
    );
    // Inside parentheses and in values, + and > keep their spaces.
    assert_eq!(
        css_str("li:nth-child(2n + 1) { width: calc(100% - 2 * 1rem + 3px); }"),
        "li:nth-child(2n + 1){width:calc(100% - 2 * 1rem + 3px)}"
    );
    assert_eq!(
        css_str("@media (width > 40rem) and (min-height: 1px) { a > b { x: y } }"),
        "@media (width > 40rem) and (min-height:1px){a>b{x:y}}"
    );
}

#[test]
fn css_media_conditions_keep_the_space_before_parentheses() {
    assert_eq!(
        css_str(
            "@media print and (max-width: 160mm) {\n  @page { margin: 8mm; }\n  .n { font-size: 9pt; }\n}\n"
        ),
        "@media print and (max-width:160mm){@page{margin:8mm}.n{font-size:9pt}}"
    );
    assert_eq!(
        css_str("@supports not (display: grid) { a { b: c } }"),
        "@supports not (display:grid){a{b:c}}"
    );
}

#[test]
fn css_strings_urls_and_escapes_are_copied_verbatim() {
    assert_eq!(
        css_str("a::before { content: \"a  /* no */ ;  b\" ' }' ; }"),
        "a::before{content:\"a  /* no */ ;  b\" ' }'}"
    );
    assert_eq!(
        css_str("a { background: url( data:image/svg+xml;x,<svg a='1'>  ) no-repeat; }"),
        "a{background:url( data:image/svg+xml;x,<svg a='1'>  ) no-repeat}"
    );
    assert_eq!(
        css_str("a { background: url(  \"x y.png\"  ) }"),
        "a{background:url(\"x y.png\")}"
    );
    assert_eq!(
        css_str("td::before { content: attr(data-label) \"：\"; }"),
        "td::before{content:attr(data-label) \"：\"}"
    );
    // `\31 0` is the class "10"; the second space is a descendant combinator.
    assert_eq!(
        css_str(".\\31  a , .\\31 0 { x: y }"),
        ".\\31  a,.\\31 0{x:y}"
    );
    assert_eq!(css_str(".a\\:b  .c\\ d { x: y }"), ".a\\:b .c\\ d{x:y}");
}

#[test]
fn css_custom_property_values_keep_inner_spaces() {
    assert_eq!(
        css_str(":root { --f:  a ,  b ( c ) ; --g: 1px; }"),
        ":root{--f:a , b ( c );--g:1px}"
    );
}

#[test]
fn css_keeps_important_and_keyframes() {
    assert_eq!(
        css_str(".s { margin-top: 1.5rem !important; }"),
        ".s{margin-top:1.5rem !important}"
    );
    assert_eq!(
        css_str("@keyframes k { from { opacity: 0; } 50% { opacity: 1; } }"),
        "@keyframes k{from{opacity:0}50%{opacity:1}}"
    );
}

#[test]
fn css_invalid_utf8_is_returned_unchanged() {
    assert_eq!(css(b"a { b: \xff }"), b"a { b: \xff }".to_vec());
}

#[test]
fn js_drops_comments_and_spaces_between_tokens_that_cannot_join() {
    let src = "// head\nconst a = 1; /* x */ let b = a + 1;\nfunction f(x, y) {\n  // why\n  return x * y;\n}\n";
    assert_eq!(
        js_str(src),
        "const a=1;let b=a+1;function f(x,y){return x*y;}\n"
    );
}

#[test]
fn js_keeps_spaces_where_tokens_would_join() {
    assert_eq!(js_str("a = b - -c + +d;"), "a=b- -c+ +d;\n");
    assert_eq!(js_str("x = 1 .toString();"), "x=1 .toString();\n");
    assert_eq!(
        js_str("if (a in b) return typeof c;"),
        "if(a in b)return typeof c;\n"
    );
    assert_eq!(
        js_str("x = a / /re/.source.length;"),
        "x=a/ /re/.source.length;\n"
    );
    assert_eq!(
        js_str("y = /a/ instanceof RegExp;"),
        "y=/a/ instanceof RegExp;\n"
    );
    assert_eq!(js_str("y = /a/g in o;"), "y=/a/g in o;\n");
    assert_eq!(js_str("b = a-- > 0;"), "b=a-- >0;\n");
}

#[test]
fn js_keeps_line_breaks_that_could_end_a_statement() {
    // Without the break, `}` then `const`, `a` then `++a` or `return` then `x`
    // would not parse the same; before `}` a semicolon is implied anyway.
    let src = "const f = () => {\n  return 1\n}\nconst g = 2\nlet a = 1\n++a\nreturn\nx\n";
    assert_eq!(
        js_str(src),
        "const f=()=>{return 1}\nconst g=2\nlet a=1\n++a\nreturn\nx\n"
    );
    // After `,` or `(` and before `)` a break can be dropped.
    assert_eq!(js_str("f(\n  a,\n  b\n);"), "f(a,b);\n");
}

#[test]
fn js_literals_are_copied_verbatim() {
    assert_eq!(
        js_str("s = 'a // b' + \"c /* d */ e\" + 'it\\'s  ok';"),
        "s='a // b'+\"c /* d */ e\"+'it\\'s  ok';\n"
    );
    assert_eq!(
        js_str("r = s.replace(/^0+ [ /]  x/g, ' ');"),
        "r=s.replace(/^0+ [ /]  x/g,' ');\n"
    );
    let template = "t = `a  ${ b + `c  ${ { d: 1 }.d }` }  e\n  f`;";
    assert_eq!(js_str(template), "t=`a  ${b+`c  ${{d:1}.d}`}  e\n  f`;\n");
    assert_eq!(js_str("u = `x \\${ not }  y`;"), "u=`x \\${ not }  y`;\n");
}

#[test]
fn js_that_the_lexer_cannot_be_sure_of_is_left_unchanged() {
    for src in [
        "a = {}\n/b/g.exec(c);",
        "a++ / 2;",
        "s = 'unclosed;",
        "t = `unclosed ${ x }",
        "/* unclosed",
        "r = /unclosed\n;",
    ] {
        assert_eq!(js_str(src), src, "{src}");
    }
}

#[test]
fn built_in_stylesheets_and_scripts_only_lose_whitespace_and_comments() {
    for (path, source) in DEFAULT_STATIC {
        let compacted = if path.ends_with(".css") {
            css(source)
        } else if path.ends_with(".js") {
            js(source)
        } else {
            continue;
        };
        assert!(
            compacted.len() * 100 < source.len() * 90,
            "{path}: {} → {} bytes (the lexer gave up?)",
            source.len(),
            compacted.len()
        );
        assert_eq!(
            String::from_utf8_lossy(&visible(&compacted)),
            String::from_utf8_lossy(&visible(source)),
            "{path}"
        );
        let again = if path.ends_with(".css") {
            css(&compacted)
        } else {
            js(&compacted)
        };
        assert_eq!(again, compacted, "{path}: compacting twice changes it");
    }
}

#[test]
fn built_in_search_script_keeps_its_string_and_regex_literals() {
    let compacted = String::from_utf8(js(built_in("assets/search.js"))).expect("UTF-8");
    for literal in [
        "/^[A-Za-z0-9_-]+\\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/",
        "'-_. '",
        "`${base}s/${n}.gz`",
        "`${val} (${n})`",
        "`[data-g=\"${g}\"] button`",
    ] {
        assert!(compacted.contains(literal), "{literal} lost");
    }
}
